package dev.transflow.config;

import org.apache.flink.configuration.YamlParserUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML settings file ({@code --config}), read with Flink's own YAML parser: nested maps are flattened into dotted
 * keys as in Flink's {@code config.yaml}, so {@code transflow: {trainer: {batch-size: 512}}} and
 * {@code transflow.trainer.batch-size: 512} are the same setting.
 */
public final class ConfigFile {

    private ConfigFile() {}

    /** The file's settings, flat, in file order. */
    public static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--config " + file + ": no such file");
        }
        Map<String, Object> yaml;
        try {
            yaml = YamlParserUtils.loadYamlFile(file.toFile());
        } catch (Exception e) {
            throw new IllegalArgumentException("--config " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (yaml != null) {
            flatten("", yaml, out);
        }
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out);
            } else if (value instanceof List<?>) {
                // Flink's own form for list values, which its list-typed options read back.
                out.put(key, YamlParserUtils.toYAMLString(value).trim());
            } else {
                out.put(key, value == null ? "" : value.toString());
            }
        }
    }
}
