package dev.transflow.model.feature;

/** Maps a feature value to a bucket of a fixed-size vocabulary: no dictionary, unseen values need no update. */
public final class FeatureHasher {

    private FeatureHasher() {}

    /** Bucket in {@code [0, vocabulary)} of {@code value} of the feature named {@code feature}. */
    public static int bucket(String feature, String value, int vocabulary) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < feature.length(); i++) {
            h = (h ^ feature.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ 0x1F) * 0x100000001b3L;
        for (int i = 0; i < value.length(); i++) {
            h = (h ^ value.charAt(i)) * 0x100000001b3L;
        }
        // fmix64 of MurmurHash3: spreads FNV's weak low bits before the modulo.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) Long.remainderUnsigned(h, vocabulary);
    }
}
