package dev.transflow.model.metric;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PredictionMetricsTest {

    @Test
    void gaucWeighsUsersWithBothClassesByImpressions() {
        PredictionMetrics m = new PredictionMetrics();
        // User 1 (4 impressions): positives 0.9, 0.2; negatives 0.5, 0.1 -> pairs 1, 1, 0, 1 -> AUC 0.75.
        m.add(0.9, 1, 1);
        m.add(0.2, 1, 1);
        m.add(0.5, 0, 1);
        m.add(0.1, 0, 1);
        // User 2 (2 impressions): perfectly ranked -> AUC 1.
        m.add(0.8, 1, 2);
        m.add(0.3, 0, 2);
        // User 3 has only negatives: excluded.
        m.add(0.7, 0, 3);

        assertThat(m.gauc()).isCloseTo((4 * 0.75 + 2 * 1.0) / 6, within(1e-12));
        assertThat(m.count()).isEqualTo(7);
        assertThat(m.positives()).isEqualTo(3);
    }

    @Test
    void logLossMatchesTheDefinition() {
        PredictionMetrics m = new PredictionMetrics();
        m.add(0.8, 1, 0);
        m.add(0.25, 0, 0);

        assertThat(m.logLoss()).isCloseTo(-(Math.log(0.8) + Math.log(0.75)) / 2, within(1e-12));
        PredictionMetrics certain = new PredictionMetrics();
        certain.add(0.0, 1, 0);
        assertThat(certain.logLoss()).as("clipped, finite").isCloseTo(-Math.log(1e-7), within(1e-6));
    }

    @Test
    void mergedWindowsEqualOneWindow() {
        SplittableRandom r = new SplittableRandom(3);
        PredictionMetrics all = new PredictionMetrics();
        PredictionMetrics first = new PredictionMetrics();
        PredictionMetrics second = new PredictionMetrics();
        for (int i = 0; i < 2_000; i++) {
            double score = r.nextDouble();
            int label = r.nextDouble() < score ? 1 : 0;
            int user = r.nextInt(50);
            all.add(score, label, user);
            (i < 700 ? first : second).add(score, label, user);
        }

        PredictionMetrics merged = first.merge(second);

        assertThat(merged.auc()).isEqualTo(all.auc());
        assertThat(merged.gauc()).isEqualTo(all.gauc());
        assertThat(merged.logLoss()).isCloseTo(all.logLoss(), within(1e-12));
        assertThat(all.auc()).isBetween(0.7, 0.9);
    }

    @Test
    void emptyAndOneClassWindowsHaveNoMetrics() {
        PredictionMetrics m = new PredictionMetrics();
        assertThat(m.auc()).isNaN();
        assertThat(m.gauc()).isNaN();
        assertThat(m.logLoss()).isNaN();
        m.add(0.4, 0, 1);
        assertThat(m.auc()).isNaN();
        assertThatThrownBy(() -> m.add(1.5, 1, 1)).hasMessageContaining("probability");
        assertThatThrownBy(() -> m.add(0.5, 2, 1)).hasMessageContaining("label");
    }
}
