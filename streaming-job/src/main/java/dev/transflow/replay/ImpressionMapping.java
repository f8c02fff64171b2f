package dev.transflow.replay;

import dev.transflow.feature.FeatureNames;
import dev.transflow.model.feature.CsvFormatException;
import dev.transflow.model.feature.CsvLayout.FeatureColumn;
import dev.transflow.model.feature.FeatureGroup;
import dev.transflow.model.feature.InteractionRow;
import dev.transflow.schemas.Click;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductFeatures;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;

import org.apache.avro.specific.SpecificRecord;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps rows of the generic CSV format onto impression events. Columns with the well-known names below
 * ({@link FeatureNames}) fill the typed fields of the schemas; every other feature column goes to the group's
 * {@code extra} values, so no column is lost.
 *
 * <pre>
 *   user.age_bucket (integer)  user.gender  user.city
 *   shared.category  shared.creator_id  shared.position (integer, feed slot)
 *   products: specific.price#num  specific.condition  specific.brand
 *   posts:    specific.content_style  specific.media_type  specific.text_length#num (integer)
 * </pre>
 */
public final class ImpressionMapping {

    private ImpressionMapping() {}

    /** A product impression for a source row, or a post impression for a target row. */
    public static SpecificRecord impression(EntityType type, InteractionRow row, String impressionId,
            String file) {
        Groups g = new Groups(row, file);
        UserProfile user = UserProfile.newBuilder()
                .setAgeBucket(g.integer(FeatureGroup.USER, FeatureNames.AGE_BUCKET))
                .setGender(g.text(FeatureGroup.USER, FeatureNames.GENDER))
                .setCity(g.text(FeatureGroup.USER, FeatureNames.CITY))
                .setExtra(g.rest(FeatureGroup.USER))
                .build();
        Integer position = g.integer(FeatureGroup.SHARED, FeatureNames.POSITION);
        SharedFeatures shared = SharedFeatures.newBuilder()
                .setCategory(g.text(FeatureGroup.SHARED, FeatureNames.CATEGORY))
                .setCreatorId(g.text(FeatureGroup.SHARED, FeatureNames.CREATOR_ID))
                .setExtra(g.rest(FeatureGroup.SHARED))
                .build();
        if (type == EntityType.PRODUCT) {
            Double price = g.number(FeatureNames.PRICE);
            if (price != null && price < 0) {
                throw new CsvFormatException(file, row.line(), "specific.price#num is negative: " + price);
            }
            return ProductImpression.newBuilder()
                    .setImpressionId(impressionId).setEventTime(row.timestamp())
                    .setUserId(row.userId()).setItemId(row.itemId()).setPosition(position)
                    .setUser(user).setShared(shared)
                    .setSpecific(ProductFeatures.newBuilder()
                            .setPrice(price)
                            .setCondition(g.text(FeatureGroup.SPECIFIC, FeatureNames.CONDITION))
                            .setBrand(g.text(FeatureGroup.SPECIFIC, FeatureNames.BRAND))
                            .setExtra(g.rest(FeatureGroup.SPECIFIC))
                            .build())
                    .build();
        }
        Double length = g.number(FeatureNames.TEXT_LENGTH);
        if (length != null && (length < 0 || length != Math.rint(length) || length > Integer.MAX_VALUE)) {
            throw new CsvFormatException(file, row.line(), "specific.text_length#num must be a non-negative "
                    + "integer, got " + length);
        }
        return PostImpression.newBuilder()
                .setImpressionId(impressionId).setEventTime(row.timestamp())
                .setUserId(row.userId()).setItemId(row.itemId()).setPosition(position)
                .setUser(user).setShared(shared)
                .setSpecific(PostFeatures.newBuilder()
                        .setContentStyle(g.text(FeatureGroup.SPECIFIC, FeatureNames.CONTENT_STYLE))
                        .setMediaType(g.text(FeatureGroup.SPECIFIC, FeatureNames.MEDIA_TYPE))
                        .setTextLength(length == null ? null : length.intValue())
                        .setExtra(g.rest(FeatureGroup.SPECIFIC))
                        .build())
                .build();
    }

    public static Click click(EntityType type, InteractionRow row, String impressionId, long clickTime) {
        return Click.newBuilder().setImpressionId(impressionId).setUserId(row.userId()).setItemId(row.itemId())
                .setEntityType(type).setEventTime(clickTime).build();
    }

    /** The row's feature values by group; typed fields are taken out, the rest stays for {@code extra}. */
    private static final class Groups {
        private final InteractionRow row;
        private final String file;
        private final Map<String, Integer> categoricalIndex = new HashMap<>();
        private final Map<String, Integer> numericIndex = new HashMap<>();
        private final java.util.Set<String> taken = new java.util.HashSet<>();

        Groups(InteractionRow row, String file) {
            this.row = row;
            this.file = file;
            List<FeatureColumn> categorical = row.layout().categorical();
            for (int i = 0; i < categorical.size(); i++) {
                categoricalIndex.put(categorical.get(i).header(), i);
            }
            List<FeatureColumn> numeric = row.layout().numeric();
            for (int i = 0; i < numeric.size(); i++) {
                numericIndex.put(numeric.get(i).header(), i);
            }
        }

        String text(FeatureGroup group, String name) {
            String header = group.prefix() + "." + name;
            Integer i = categoricalIndex.get(header);
            if (i == null) {
                return null;
            }
            taken.add(header);
            return row.categorical(i);
        }

        Integer integer(FeatureGroup group, String name) {
            String value = text(group, name);
            if (value == null) {
                return null;
            }
            try {
                return Integer.valueOf(value.trim());
            } catch (NumberFormatException e) {
                throw new CsvFormatException(file, row.line(), group.prefix() + "." + name
                        + " must be an integer, got '" + value + "'");
            }
        }

        Double number(String name) {
            String header = FeatureGroup.SPECIFIC.prefix() + "." + name + "#num";
            Integer i = numericIndex.get(header);
            if (i == null) {
                return null;
            }
            taken.add(header);
            double value = row.numeric(i);
            return Double.isNaN(value) ? null : value;
        }

        FeatureValues rest(FeatureGroup group) {
            Map<String, String> categorical = new HashMap<>();
            List<FeatureColumn> cat = row.layout().categorical();
            for (int i = 0; i < cat.size(); i++) {
                FeatureColumn column = cat.get(i);
                if (column.group() == group && !taken.contains(column.header()) && row.categorical(i) != null) {
                    categorical.put(column.name(), row.categorical(i));
                }
            }
            Map<String, Double> numeric = new HashMap<>();
            List<FeatureColumn> num = row.layout().numeric();
            for (int i = 0; i < num.size(); i++) {
                FeatureColumn column = num.get(i);
                if (column.group() == group && !taken.contains(column.header()) && !Double.isNaN(row.numeric(i))) {
                    numeric.put(column.name(), row.numeric(i));
                }
            }
            return new FeatureValues(categorical, numeric);
        }
    }
}
