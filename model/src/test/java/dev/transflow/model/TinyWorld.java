package dev.transflow.model;

import dev.transflow.model.feature.CsvLayout;
import dev.transflow.model.feature.CsvLayout.FeatureColumn;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.FeatureSchema;
import dev.transflow.model.feature.InteractionRow;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small two-domain dataset with a known rule: users like one category each (shared by both domains, mostly
 * given by their age group); a click is likely when the item's category is the user's, and for posts also when
 * the style is "good". Models that learn must beat chance clearly on it.
 */
public final class TinyWorld {

    public static final CsvLayout SOURCE = CsvLayout.of(List.of(
            new FeatureColumn(FeatureGroup.USER, "age", false, -1),
            new FeatureColumn(FeatureGroup.SHARED, "category", false, -1),
            new FeatureColumn(FeatureGroup.SPECIFIC, "brand", false, -1),
            new FeatureColumn(FeatureGroup.SPECIFIC, "price", true, -1)));
    public static final CsvLayout TARGET = CsvLayout.of(List.of(
            new FeatureColumn(FeatureGroup.USER, "age", false, -1),
            new FeatureColumn(FeatureGroup.SHARED, "category", false, -1),
            new FeatureColumn(FeatureGroup.SPECIFIC, "style", false, -1)));

    public final List<InteractionRow> source = new ArrayList<>();
    public final List<InteractionRow> target = new ArrayList<>();

    public TinyWorld(int sourceRows, int targetRows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int users = 300;
        int categories = 12;
        int[] liked = new int[users];
        for (int u = 0; u < users; u++) {
            // Mostly decided by the age group (a profile feature), so a few thousand rows suffice to learn it.
            liked[u] = r.nextDouble() < 0.8 ? (u % 5) * 2 : r.nextInt(categories);
        }
        long t = 1_000;
        int s = 0;
        int g = 0;
        while (s < sourceRows || g < targetRows) {
            boolean isSource = g >= targetRows || (s < sourceRows && r.nextInt(sourceRows + targetRows) < sourceRows);
            int u = r.nextInt(users);
            int c = r.nextDouble() < 0.4 ? liked[u] : r.nextInt(categories);
            double logit = -2.5 + (c == liked[u] ? 2.5 : 0);
            t += 1 + r.nextInt(5);
            if (isSource) {
                double price = 1 + r.nextInt(100);
                int label = r.nextDouble() < sigmoid(logit - 0.01 * price) ? 1 : 0;
                source.add(new InteractionRow(SOURCE, t, "u" + u, "p" + r.nextInt(500), label,
                        new String[] {"a" + (u % 5), "c" + c, "b" + r.nextInt(20)}, new double[] {price}, 0));
                s++;
            } else {
                boolean good = r.nextBoolean();
                int label = r.nextDouble() < sigmoid(logit + (good ? 0.8 : -0.8)) ? 1 : 0;
                target.add(new InteractionRow(TARGET, t, "u" + u, "t" + r.nextInt(300), label,
                        new String[] {"a" + (u % 5), "c" + c, good ? "good" : "bad"}, new double[0], 0));
                g++;
            }
        }
    }

    public static FeatureSchema schema() {
        return FeatureSchema.infer(SOURCE, TARGET, 4096, 256);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
