package dev.transflow.config;

import org.apache.flink.configuration.ConfigOption;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * A class that holds the options of one prefix: a {@code public static final String PREFIX}, its
 * {@code ConfigOption} constants and, where some have checks, a {@code public static final Validators VALIDATORS}.
 */
public record OptionHolder(Class<?> type, String prefix, List<Entry> entries, Validators validators) {

    /** An option with the type its constant declares (Flink keeps an option's class to itself). */
    public record Entry(ConfigOption<?> option, Class<?> valueType) { }

    public static OptionHolder of(Class<?> type) {
        String prefix = (String) constant(type, "PREFIX");
        Object validators = null;
        List<Entry> entries = new ArrayList<>();
        for (Field field : type.getFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            if (field.getType() == ConfigOption.class) {
                entries.add(new Entry((ConfigOption<?>) constant(type, field.getName()), valueType(field)));
            } else if (field.getType() == Validators.class) {
                validators = constant(type, field.getName());
            }
        }
        if (prefix == null || entries.isEmpty()) {
            throw new IllegalStateException(type.getName() + " declares no PREFIX or no options");
        }
        return new OptionHolder(type, prefix, List.copyOf(entries),
                validators != null ? (Validators) validators : new Validators());
    }

    public List<ConfigOption<?>> options() {
        return entries.stream().<ConfigOption<?>>map(Entry::option).toList();
    }

    private static Object constant(Class<?> type, String name) {
        try {
            return type.getField(name).get(null);
        } catch (NoSuchFieldException e) {
            return null;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> valueType(Field field) {
        Type generic = field.getGenericType();
        if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        throw new IllegalStateException(field + " has no concrete value type");
    }
}
