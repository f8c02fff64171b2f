package dev.transflow.model.metric;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AucTest {

    private static double auc(double[] scores, int... labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            b[i] = (byte) labels[i];
        }
        return Auc.of(scores, b, labels.length);
    }

    @Test
    void perfectAndInvertedRankings() {
        assertThat(auc(new double[] {0.1, 0.2, 0.8, 0.9}, 0, 0, 1, 1)).isEqualTo(1.0);
        assertThat(auc(new double[] {0.9, 0.8, 0.2, 0.1}, 0, 0, 1, 1)).isEqualTo(0.0);
    }

    @Test
    void handComputedCaseWithTies() {
        // Positives at 0.8 and 0.4, negatives at 0.4, 0.3, 0.9.
        // Pairs (pos, neg): (0.8 > 0.4) 1, (0.8 > 0.3) 1, (0.8 < 0.9) 0, (0.4 = 0.4) 0.5, (0.4 > 0.3) 1, (0.4 < 0.9) 0.
        // AUC = 3.5 / 6.
        assertThat(auc(new double[] {0.8, 0.4, 0.4, 0.3, 0.9}, 1, 1, 0, 0, 0)).isCloseTo(3.5 / 6, within(1e-12));
    }

    @Test
    void allScoresTiedIsOneHalf() {
        assertThat(auc(new double[] {0.5, 0.5, 0.5, 0.5}, 1, 0, 1, 0)).isEqualTo(0.5);
    }

    @Test
    void oneClassHasNoAuc() {
        assertThat(auc(new double[] {0.1, 0.2}, 1, 1)).isNaN();
        assertThat(auc(new double[] {0.1, 0.2}, 0, 0)).isNaN();
    }

    @Test
    void onlyTheFirstNEntriesCount() {
        byte[] labels = {0, 1, 1};
        assertThat(Auc.of(new double[] {0.1, 0.9, 0.0}, labels, 2)).isEqualTo(1.0);
    }
}
