package dev.transflow.history;

import dev.transflow.history.HistorySteps.AsOf;
import dev.transflow.history.HistorySteps.Complete;
import dev.transflow.history.HistorySteps.HistoryFunction;
import dev.transflow.history.HistorySteps.Record;
import dev.transflow.history.HistorySteps.Step;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.EntityType;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The click history in keyed state: point in time, newest first, bounded, per user, expiring. */
class ClickHistoryTest {

    private static final int LENGTH = 2;
    private static final Duration TTL = Duration.ofHours(1);

    private KeyedOneInputStreamOperatorTestHarness<String, Step, ClickHistory.Sequences> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new HistoryFunction(LENGTH, TTL), Step::user,
                Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static Click click(String user, EntityType type, String item, long time) {
        return new Click("imp-" + item, user, item, type, time);
    }

    private void record(String user, EntityType type, String item, long time) throws Exception {
        harness.processElement(new Record(click(user, type, item, time), "c-" + item), time);
    }

    private ClickHistory.Sequences asOf(String user, long time) throws Exception {
        harness.getOutput().clear();
        harness.processElement(new AsOf(user, time), time);
        List<ClickHistory.Sequences> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static List<String> items(List<ClickedItem> clicked) {
        return clicked.stream().map(ClickedItem::getItemId).toList();
    }

    @Test
    void anImpressionSeesOnlyClicksBeforeItNewestFirstPerEntityType() throws Exception {
        record("u1", EntityType.POST, "p1", 100);
        record("u1", EntityType.PRODUCT, "a1", 150);
        record("u1", EntityType.POST, "p3", 300);
        record("u1", EntityType.POST, "p2", 200); // processed after a later click

        ClickHistory.Sequences at250 = asOf("u1", 250);
        assertThat(items(at250.posts())).containsExactly("p2", "p1");
        assertThat(items(at250.products())).containsExactly("a1");
        assertThat(at250.posts().get(0).getCategory()).isEqualTo("c-p2");
        assertThat(at250.posts().get(0).getClickTime()).isEqualTo(200);

        // A click at the impression's own time did not happen before it.
        ClickHistory.Sequences at100 = asOf("u1", 100);
        assertThat(at100.posts()).isEmpty();
        assertThat(at100.products()).isEmpty();
    }

    @Test
    void aSequenceHoldsAtMostTheLengthAndAClickLateInEventTimeStillFindsItsPlace() throws Exception {
        for (long t = 100; t <= 400; t += 100) {
            record("u1", EntityType.POST, "p" + t, t);
        }
        assertThat(items(asOf("u1", 1_000).posts())).containsExactly("p400", "p300");

        // A spare per slot: older clicks are still there for an impression between them.
        assertThat(items(asOf("u1", 250).posts())).containsExactly("p200", "p100");
        record("u1", EntityType.POST, "p250", 250);
        assertThat(items(asOf("u1", 350).posts())).containsExactly("p300", "p250");
        assertThat(items(asOf("u1", 260).posts())).containsExactly("p250", "p200");
        assertThat(asOf("u1", 150).posts()).as("the oldest click made room").isEmpty();
    }

    @Test
    void everyUserHasAHistoryOfTheirOwn() throws Exception {
        record("u1", EntityType.POST, "p1", 100);
        record("u2", EntityType.POST, "p2", 100);

        assertThat(items(asOf("u1", 200).posts())).containsExactly("p1");
        assertThat(items(asOf("u2", 200).posts())).containsExactly("p2");
        assertThat(items(asOf("u3", 200).posts())).isEmpty();
    }

    @Test
    void aClickRecordedBeforeItsImpressionGetsItsCategoryWhenTheImpressionArrives() throws Exception {
        Click early = click("u1", EntityType.POST, "p1", 100);
        harness.processElement(new Record(early, null), 100);
        assertThat(asOf("u1", 200).posts()).singleElement()
                .satisfies(item -> assertThat(item.getCategory()).isNull());

        // A second click of the same item before the impression (a duplicate) gets it too; another item's does not.
        harness.processElement(new Record(click("u1", EntityType.POST, "p1", 101), null), 101);
        harness.processElement(new Complete(early, "c7"), 100);
        assertThat(asOf("u1", 200).posts()).extracting(ClickedItem::getItemId, ClickedItem::getCategory)
                .containsExactly(tuple("p1", "c7"), tuple("p1", "c7"));

        harness.processElement(new Record(click("u1", EntityType.POST, "p2", 102), null), 102);
        harness.processElement(new Complete(early, "c8"), 100);
        assertThat(asOf("u1", 200).posts()).extracting(ClickedItem::getItemId, ClickedItem::getCategory)
                .containsExactly(tuple("p2", null), tuple("p1", "c7"));
    }

    @Test
    void theHistoryOfAUserIdleForTheTtlExpires() throws Exception {
        harness.setStateTtlProcessingTime(0);
        record("u1", EntityType.POST, "p1", 100);

        harness.setStateTtlProcessingTime(TTL.toMillis() - 1);
        assertThat(items(asOf("u1", 200).posts())).containsExactly("p1");

        harness.setStateTtlProcessingTime(TTL.toMillis());
        assertThat(asOf("u1", 200).posts()).isEmpty();
    }
}
