package dev.transflow.feature;

/**
 * The names of the features the impression events carry in typed fields, shared by everything that produces or
 * reads them: the replayer maps CSV columns of these names onto the fields, the sample join writes the fields back
 * under them, and the simulator names its columns so. Every other feature travels in a group's {@code extra}
 * values under its own name.
 *
 * <pre>
 *   user:     age_bucket (integer)  gender  city
 *   shared:   category  creator_id  position (integer, feed slot)
 *   products: price (numeric)  condition  brand
 *   posts:    content_style  media_type  text_length (numeric, integer)
 * </pre>
 */
public final class FeatureNames {

    private FeatureNames() {}

    public static final String AGE_BUCKET = "age_bucket";
    public static final String GENDER = "gender";
    public static final String CITY = "city";
    public static final String CATEGORY = "category";
    public static final String CREATOR_ID = "creator_id";
    public static final String POSITION = "position";
    public static final String PRICE = "price";
    public static final String CONDITION = "condition";
    public static final String BRAND = "brand";
    public static final String CONTENT_STYLE = "content_style";
    public static final String MEDIA_TYPE = "media_type";
    public static final String TEXT_LENGTH = "text_length";
}
