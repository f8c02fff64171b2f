package dev.transflow.source;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.LabeledSample;
import dev.transflow.schemas.ModelVersion;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.ProductImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.util.Map;

/**
 * Content checks of events read from Kafka beyond what the schema guarantees: ids present and of bounded length, event
 * times positive and not far in the future, numeric features finite and not negative where negative is
 * meaningless, extra feature maps of bounded size. Lengths and counts are bounded because a sample carries its
 * impression's features and categories of earlier ones: unbounded, they would make samples the sink cannot write.
 */
public final class EventValidator implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int maxIdLength;
    private final long maxFutureSkewMillis;
    private final int maxExtraEntries;

    /** With the default {@link SourceOptions#MAX_EXTRA_ENTRIES}. */
    public EventValidator(int maxIdLength, long maxFutureSkewMillis) {
        this(maxIdLength, maxFutureSkewMillis, SourceOptions.MAX_EXTRA_ENTRIES.defaultValue());
    }

    public EventValidator(int maxIdLength, long maxFutureSkewMillis, int maxExtraEntries) {
        this.maxIdLength = maxIdLength;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
        this.maxExtraEntries = maxExtraEntries;
    }

    /** The validator of the {@link SourceOptions} in {@code config}. */
    public static EventValidator of(Configuration config) {
        return new EventValidator(SourceOptions.maxIdLength(config),
                SourceOptions.maxFutureSkew(config).toMillis(), SourceOptions.maxExtraEntries(config));
    }

    /** @param now wall-clock time, epoch ms */
    public void validate(SpecificRecord event, long now) throws InvalidEventException {
        if (event instanceof ProductImpression p) {
            impression(p.getImpressionId(), p.getUserId(), p.getItemId(), p.getEventTime(), p.getPosition(), now);
            extraEntries(p.getUser().getExtra(), p.getShared().getExtra(), p.getSpecific().getExtra());
            profile(p.getUser());
            shared(p.getShared());
            Double price = p.getSpecific().getPrice();
            if (price != null && !(Double.isFinite(price) && price >= 0)) {
                throw new InvalidEventException("specific.price is " + price + "; it must be finite and >= 0");
            }
            values("specific", p.getSpecific().getExtra());
        } else if (event instanceof PostImpression p) {
            impression(p.getImpressionId(), p.getUserId(), p.getItemId(), p.getEventTime(), p.getPosition(), now);
            extraEntries(p.getUser().getExtra(), p.getShared().getExtra(), p.getSpecific().getExtra());
            profile(p.getUser());
            shared(p.getShared());
            Integer length = p.getSpecific().getTextLength();
            if (length != null && length < 0) {
                throw new InvalidEventException("specific.textLength is " + length + "; it must be >= 0");
            }
            values("specific", p.getSpecific().getExtra());
        } else if (event instanceof Click c) {
            id("impressionId", c.getImpressionId());
            id("userId", c.getUserId());
            id("itemId", c.getItemId());
            time(c.getEventTime(), now);
        } else if (event instanceof LabeledSample l) {
            // No extra-entry count: the sample job writes samples from impressions that passed it, and adds the
            // typed fields as entries. Their size is bounded by the record size limit.
            id("impressionId", l.getImpressionId());
            id("userId", l.getUserId());
            id("itemId", l.getItemId());
            time(l.getImpressionTime(), now);
            if (l.getLabel() != 0 && l.getLabel() != 1) {
                throw new InvalidEventException("label is " + l.getLabel() + "; it must be 0 or 1");
            }
        } else if (event instanceof ModelVersion v) {
            if (v.getVersion() < 0) {
                throw new InvalidEventException("version is " + v.getVersion() + "; it must be >= 0");
            }
            if (v.getUri() == null || v.getUri().isBlank()) {
                throw new InvalidEventException("uri is empty");
            }
            if (v.getManifestSha256() == null || !v.getManifestSha256().matches("[0-9a-f]{64}")) {
                throw new InvalidEventException("manifestSha256 '" + v.getManifestSha256()
                        + "' is not a hex sha256");
            }
        } else {
            throw new IllegalArgumentException("No validation for " + event.getClass().getSimpleName());
        }
    }

    private void impression(String impressionId, String userId, String itemId, long eventTime, Integer position,
            long now) throws InvalidEventException {
        id("impressionId", impressionId);
        id("userId", userId);
        id("itemId", itemId);
        time(eventTime, now);
        if (position != null && position < 0) {
            throw new InvalidEventException("position is " + position + "; it must be >= 0");
        }
    }

    private void profile(UserProfile user) throws InvalidEventException {
        if (user.getAgeBucket() != null && user.getAgeBucket() < 0) {
            throw new InvalidEventException("user.ageBucket is " + user.getAgeBucket() + "; it must be >= 0");
        }
        values("user", user.getExtra());
    }

    private void shared(SharedFeatures shared) throws InvalidEventException {
        // The category goes into the click history of every later sample of the user: bounded like an id.
        String category = shared.getCategory();
        if (category != null && category.length() > maxIdLength) {
            throw new InvalidEventException("shared.category has " + category.length() + " characters; at most "
                    + maxIdLength + " are accepted (" + SourceOptions.MAX_ID_LENGTH.key() + ")");
        }
        values("shared", shared.getExtra());
    }

    private void extraEntries(FeatureValues user, FeatureValues shared, FeatureValues specific)
            throws InvalidEventException {
        int userEntries = size(user);
        int sharedEntries = size(shared);
        int specificEntries = size(specific);
        long total = (long) userEntries + sharedEntries + specificEntries;
        if (total > maxExtraEntries) {
            throw new InvalidEventException("The extra feature maps hold " + total + " entries (user " + userEntries
                    + ", shared " + sharedEntries + ", specific " + specificEntries + "); at most " + maxExtraEntries
                    + " are accepted (" + SourceOptions.MAX_EXTRA_ENTRIES.key() + ")");
        }
    }

    private static int size(FeatureValues values) {
        return values.getCategorical().size() + values.getNumeric().size();
    }

    private static void values(String group, FeatureValues values) throws InvalidEventException {
        for (Map.Entry<String, Double> e : values.getNumeric().entrySet()) {
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new InvalidEventException(group + ".extra." + e.getKey() + " is " + e.getValue()
                        + "; numeric features must be finite");
            }
        }
    }

    private void id(String field, String value) throws InvalidEventException {
        if (value == null || value.isEmpty()) {
            throw new InvalidEventException(field + " is empty");
        }
        if (value.length() > maxIdLength) {
            throw new InvalidEventException(field + " has " + value.length() + " characters; at most " + maxIdLength
                    + " are accepted (" + SourceOptions.MAX_ID_LENGTH.key() + ")");
        }
    }

    private void time(long eventTime, long now) throws InvalidEventException {
        if (eventTime <= 0) {
            throw new InvalidEventException("eventTime " + eventTime + " is not a positive epoch-ms time");
        }
        if (eventTime > now + maxFutureSkewMillis) {
            throw new InvalidEventException("eventTime " + eventTime + " is " + (eventTime - now) / 1000
                    + " s in the future; at most " + maxFutureSkewMillis / 1000 + " s are accepted ("
                    + SourceOptions.MAX_FUTURE_SKEW.key() + ")");
        }
    }
}
