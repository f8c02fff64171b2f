package dev.transflow.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.description.Formatter;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Every option of the {@link OptionCatalogue} with its type, default, description and deprecated keys: as text for
 * the terminal, or as the Markdown table the README's Configuration section holds (a test keeps the two equal).
 */
public final class OptionTable {

    private OptionTable() {}

    public static String text() {
        StringBuilder out = new StringBuilder();
        for (OptionHolder holder : OptionCatalogue.holders()) {
            for (OptionHolder.Entry entry : holder.entries()) {
                ConfigOption<?> option = entry.option();
                out.append(option.key()).append(" (").append(type(entry)).append(", default ")
                        .append(defaultValue(option)).append(")\n");
                out.append("    ").append(new PlainFormatter().format(option.description())).append('\n');
                List<String> deprecated = deprecatedKeys(option);
                if (!deprecated.isEmpty()) {
                    out.append("    Deprecated keys: ").append(String.join(", ", deprecated)).append('\n');
                }
            }
        }
        return out.toString();
    }

    public static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| Key | Type | Default | Description | Deprecated keys |\n");
        out.append("|---|---|---|---|---|\n");
        for (OptionHolder holder : OptionCatalogue.holders()) {
            for (OptionHolder.Entry entry : holder.entries()) {
                ConfigOption<?> option = entry.option();
                out.append("| `").append(option.key()).append("` | ").append(cell(type(entry))).append(" | ")
                        .append(option.hasDefaultValue() ? "`" + defaultValue(option) + "`" : "(none)").append(" | ")
                        .append(cell(new HtmlFormatter().format(option.description()))).append(" | ")
                        .append(deprecatedKeys(option).stream().map(k -> "`" + k + "`")
                                .collect(Collectors.joining(", ")))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static String type(OptionHolder.Entry entry) {
        Class<?> type = entry.valueType();
        if (type.isEnum()) {
            return "Enum: " + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                    .collect(Collectors.joining(", "));
        }
        return type.getSimpleName();
    }

    /** The default as one would write it, the home directory as {@code ~}, so that the table is the same anywhere. */
    private static String defaultValue(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "(none)";
        }
        Object value = option.defaultValue();
        if (value instanceof Duration duration) {
            return TimeUtils.formatWithHighestUnit(duration);
        }
        if (value instanceof Enum<?> constant) {
            return constant.name(); // as Flink reads it back; toString() may differ
        }
        if (value instanceof MemorySize size) {
            return size.toString();
        }
        String home = System.getProperty("user.home");
        String text = String.valueOf(value);
        return text.startsWith(home) ? "~" + text.substring(home.length()) : text;
    }

    private static List<String> deprecatedKeys(ConfigOption<?> option) {
        return StreamSupport.stream(option.fallbackKeys().spliterator(), false).filter(FallbackKey::isDeprecated)
                .map(FallbackKey::getKey).toList();
    }

    /** Descriptions as plain text, for the terminal. */
    private static final class PlainFormatter extends Formatter {
        @Override
        protected void formatLink(StringBuilder state, String link, String description) {
            state.append(description).append(" (").append(link).append(')');
        }

        @Override
        protected void formatLineBreak(StringBuilder state) {
            state.append("\n    ");
        }

        @Override
        protected void formatText(StringBuilder state, String format, String[] elements,
                EnumSet<org.apache.flink.configuration.description.TextElement.TextStyle> styles) {
            state.append(String.format(format, (Object[]) elements));
        }

        @Override
        protected void formatList(StringBuilder state, String[] entries) {
            for (String entry : entries) {
                state.append("\n    - ").append(entry);
            }
        }

        @Override
        protected Formatter newInstance() {
            return new PlainFormatter();
        }
    }
}
