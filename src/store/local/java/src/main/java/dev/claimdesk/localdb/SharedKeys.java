package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stored documents with their field names shared. Every document the wire (or the journal) brings
 * carries its own copy of each field name: at 50 000 claims, with their history and SLA
 * sub-documents, some 6 million strings, about a third of the heap, and the server spent its time
 * in full collections. A stored copy whose names are the JVM's interned strings holds each name
 * once. Values are kept as they are; the copy is equal to the original in every field and order.
 */
final class SharedKeys {
    private SharedKeys() {
    }

    /** An equal document whose field names (at every depth) are shared. */
    static Document of(Document document) {
        Document copy = new Document();
        for (Map.Entry<String, Object> entry : document.entrySet()) {
            copy.put(entry.getKey().intern(), value(entry.getValue()));
        }
        return copy;
    }

    /** A value with the names of the documents in it shared: a document or a list is copied, anything else kept. */
    static Object value(Object value) {
        if (value instanceof Document document) {
            return of(document);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                copy.add(value(element));
            }
            return copy;
        }
        return value;
    }
}
