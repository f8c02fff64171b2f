package dev.transflow.join;

import dev.transflow.feature.FeatureNames;
import dev.transflow.schemas.Domain;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Impressions as not-yet-labeled samples: typed fields become named feature values (the names of
 * {@link FeatureNames}, which the replayer maps from, so streamed and replayed data encode alike). Products are the
 * source domain, posts the target domain.
 */
public final class Samples {

    private Samples() {}

    public static LabeledSample of(ProductImpression p) {
        Map<String, String> cat = new HashMap<>(p.getSpecific().getExtra().getCategorical());
        Map<String, Double> num = new HashMap<>(p.getSpecific().getExtra().getNumeric());
        put(cat, FeatureNames.CONDITION, p.getSpecific().getCondition());
        put(cat, FeatureNames.BRAND, p.getSpecific().getBrand());
        if (p.getSpecific().getPrice() != null) {
            num.put(FeatureNames.PRICE, p.getSpecific().getPrice());
        }
        return sample(p.getImpressionId(), Domain.SOURCE, EntityType.PRODUCT, p.getUserId(), p.getItemId(),
                p.getPosition(), p.getEventTime(), p.getUser(), p.getShared(), new FeatureValues(cat, num));
    }

    public static LabeledSample of(PostImpression p) {
        Map<String, String> cat = new HashMap<>(p.getSpecific().getExtra().getCategorical());
        Map<String, Double> num = new HashMap<>(p.getSpecific().getExtra().getNumeric());
        put(cat, FeatureNames.CONTENT_STYLE, p.getSpecific().getContentStyle());
        put(cat, FeatureNames.MEDIA_TYPE, p.getSpecific().getMediaType());
        if (p.getSpecific().getTextLength() != null) {
            num.put(FeatureNames.TEXT_LENGTH, p.getSpecific().getTextLength().doubleValue());
        }
        return sample(p.getImpressionId(), Domain.TARGET, EntityType.POST, p.getUserId(), p.getItemId(),
                p.getPosition(), p.getEventTime(), p.getUser(), p.getShared(), new FeatureValues(cat, num));
    }

    private static LabeledSample sample(String impressionId, Domain domain, EntityType type, String userId,
            String itemId, Integer position, long time, UserProfile user, SharedFeatures shared,
            FeatureValues specific) {
        Map<String, String> userCat = new HashMap<>(user.getExtra().getCategorical());
        if (user.getAgeBucket() != null) {
            userCat.put(FeatureNames.AGE_BUCKET, user.getAgeBucket().toString());
        }
        put(userCat, FeatureNames.GENDER, user.getGender());
        put(userCat, FeatureNames.CITY, user.getCity());
        Map<String, String> sharedCat = new HashMap<>(shared.getExtra().getCategorical());
        put(sharedCat, FeatureNames.CATEGORY, shared.getCategory());
        put(sharedCat, FeatureNames.CREATOR_ID, shared.getCreatorId());
        if (position != null) {
            sharedCat.put(FeatureNames.POSITION, position.toString());
        }
        return LabeledSample.newBuilder()
                .setImpressionId(impressionId).setDomain(domain).setEntityType(type)
                .setUserId(userId).setItemId(itemId).setPosition(position)
                .setUser(new FeatureValues(userCat, new HashMap<>(user.getExtra().getNumeric())))
                .setShared(new FeatureValues(sharedCat, new HashMap<>(shared.getExtra().getNumeric())))
                .setSpecific(specific)
                .setClickedProducts(List.of()).setClickedPosts(List.of())
                .setLabel(0).setImpressionTime(time).setLabelTime(0)
                .build();
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
