package dev.transflow.simulate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PacedSinkTest {

    /** Records when each impression was let through. */
    private static final class Recording implements EventSink {
        final List<long[]> released = new ArrayList<>();

        @Override
        public void accept(SimulatedImpression impression) {
            released.add(new long[] {impression.time(), System.currentTimeMillis()});
        }

        @Override
        public void finish() {}

        @Override
        public void close() {}
    }

    @Test
    void atEventTimeNoImpressionLeavesBeforeTheWallClockReachesIt() {
        Recording out = new Recording();
        PacedSink sink = PacedSink.atEventTime(out);
        long now = System.currentTimeMillis();
        SimulatedImpression impression = new SimulatedImpression();
        for (long offset : new long[] {-1_000, 0, 40, 80, 120}) {
            impression.time = now + offset;
            sink.accept(impression);
        }
        assertThat(out.released).hasSize(5);
        // Only a lower bound: a loaded machine may release late, never early.
        out.released.forEach(r -> assertThat(r[1]).isGreaterThanOrEqualTo(r[0]));
    }

    @Test
    void atRateTheNthImpressionWaitsForItsShareOfTheSecond() {
        Recording out = new Recording();
        PacedSink sink = new PacedSink(out, 100); // 10 ms apart
        SimulatedImpression impression = new SimulatedImpression();
        long started = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            sink.accept(impression);
        }
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(50_000_000L);
    }
}
