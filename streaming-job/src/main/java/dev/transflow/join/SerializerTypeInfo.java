package dev.transflow.join;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Type information for the join's record types that have a dedicated serializer: Flink uses the serializer instead
 * of building each record by reflection (its POJO serializer). Records of these types are not keys.
 */
public final class SerializerTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final TypeSerializer<T> serializer;

    public SerializerTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
        this.type = type;
        this.serializer = serializer;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer;
    }

    @Override
    public String toString() {
        return type.getSimpleName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerializerTypeInfo<?> other && other.canEqual(this) && type.equals(other.type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof SerializerTypeInfo;
    }

    /** The factory named by {@code @TypeInfo} on {@link EncodedSample}. */
    public static final class ForEncodedSample extends TypeInfoFactory<EncodedSample> {
        @Override
        public TypeInformation<EncodedSample> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(EncodedSample.class, EncodedSample.Serializer.INSTANCE);
        }
    }

    /** The factory named by {@code @TypeInfo} on {@link EncodedImpression}. */
    public static final class ForEncodedImpression extends TypeInfoFactory<EncodedImpression> {
        @Override
        public TypeInformation<EncodedImpression> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new SerializerTypeInfo<>(EncodedImpression.class, EncodedImpression.Serializer.INSTANCE);
        }
    }
}
