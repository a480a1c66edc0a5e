package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One bucket of an equality index kept in one sort order: each document's sort fields (only
 * those) with its position, sorted by mongo-java-server's own comparator, ties in insertion
 * order. Made when a sorted query first asks for it, then kept current as documents come, change
 * and go.
 */
final class OrderedView {
    private record Entry(Document sortValues, Object position, long sequence) {
    }

    final String bucketKey;
    private final Document orderBy;
    private final TreeSet<Entry> entries;
    private final Map<Object, Entry> byPosition = new HashMap<>();
    private long sequence;
    /** Set when a document holds an array or a document in a sort field: the view gives up, queries read as before. */
    boolean unusable;

    OrderedView(String bucketKey, Document orderBy) {
        this.bucketKey = bucketKey;
        this.orderBy = orderBy;
        DocumentComparator comparator = new DocumentComparator(orderBy);
        this.entries = new TreeSet<>((a, b) -> {
            int byValues = comparator.compare(a.sortValues(), b.sortValues());
            return byValues != 0 ? byValues : Long.compare(a.sequence(), b.sequence());
        });
    }

    void put(Document document, Object position) {
        remove(position);
        Document values = new Document();
        for (String field : orderBy.keySet()) {
            Object value = document.get(field);
            if (value instanceof Collection<?> || value instanceof Document) {
                unusable = true;
                return;
            }
            if (document.containsKey(field)) {
                values.put(field, value);
            }
        }
        Entry entry = new Entry(values, position, sequence++);
        entries.add(entry);
        byPosition.put(position, entry);
    }

    void remove(Object position) {
        Entry entry = byPosition.remove(position);
        if (entry != null) {
            entries.remove(entry);
        }
    }

    EqualityIndex.OrderedPositions positions() {
        EqualityIndex.OrderedPositions positions = new EqualityIndex.OrderedPositions(entries.size());
        for (Entry entry : entries) {
            positions.add(entry.position());
        }
        return positions;
    }
}
