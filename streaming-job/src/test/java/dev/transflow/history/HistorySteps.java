package dev.transflow.history;

import dev.transflow.schemas.Click;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/** What the click history's tests do with the history of one user, and the function that does it. */
final class HistorySteps {

    private HistorySteps() {}

    sealed interface Step {
        String user();
    }

    record Record(Click click, String category) implements Step {
        public String user() {
            return click.getUserId();
        }
    }

    record Complete(Click click, String category) implements Step {
        public String user() {
            return click.getUserId();
        }
    }

    record AsOf(String user, long time) implements Step { }

    /** Records clicks, completes their categories, and emits the history as of each {@link AsOf}. */
    static final class HistoryFunction extends KeyedProcessFunction<String, Step, ClickHistory.Sequences> {
        private final int length;
        private final Duration ttl;
        private transient ClickHistory history;

        HistoryFunction(int length, Duration ttl) {
            this.length = length;
            this.ttl = ttl;
        }

        @Override
        public void open(OpenContext context) {
            history = ClickHistory.open(getRuntimeContext(), length, ttl);
        }

        @Override
        public void processElement(Step step, Context ctx, Collector<ClickHistory.Sequences> out) throws Exception {
            if (step instanceof Record r) {
                history.record(r.click(), r.category());
            } else if (step instanceof Complete c) {
                history.completeCategory(c.click(), c.category());
            } else if (step instanceof AsOf q) {
                out.collect(history.asOf(q.time()));
            }
        }
    }
}
