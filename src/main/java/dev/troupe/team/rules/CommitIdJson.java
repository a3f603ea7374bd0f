package dev.troupe.team.rules;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import org.eclipse.jgit.lib.ObjectId;

/**
 * A commit id as Jackson writes it, for a report that crosses the cluster: its 40 hex digits. Anything else is
 * refused as it is read, since it comes from another machine.
 */
public final class CommitIdJson {

    private CommitIdJson() {}

    public static final class Writer extends StdSerializer<ObjectId> {
        public Writer() {
            super(ObjectId.class);
        }

        @Override
        public void serialize(ObjectId id, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(id.name());
        }
    }

    public static final class Reader extends StdDeserializer<ObjectId> {
        public Reader() {
            super(ObjectId.class);
        }

        @Override
        public ObjectId deserialize(JsonParser in, DeserializationContext context) throws IOException {
            String text = in.getValueAsString();
            if (text == null || !ObjectId.isId(text)) {
                return (ObjectId) context.handleWeirdStringValue(ObjectId.class, text, "not a commit id");
            }
            return ObjectId.fromString(text);
        }
    }
}
