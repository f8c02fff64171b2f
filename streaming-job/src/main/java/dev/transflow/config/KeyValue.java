package dev.transflow.config;

/**
 * One {@code --set KEY=VALUE} argument, split at its first {@code =} (a value may hold more) and trimmed: the one
 * reading of {@code --set} for the job commands and {@code transflow evaluate}.
 */
public record KeyValue(String key, String value) {

    /** @throws IllegalArgumentException when {@code text} has no {@code =} or nothing but blanks before it */
    public static KeyValue parse(String text) {
        int eq = text.indexOf('=');
        String key = eq < 0 ? "" : text.substring(0, eq).trim();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("--set takes KEY=VALUE (a key, '=', then the value), got '" + text
                    + "'");
        }
        return new KeyValue(key, text.substring(eq + 1).trim());
    }
}
