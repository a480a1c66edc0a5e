package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A non-unique index, which mongo-java-server itself accepts but ignores (every such query read
 * the whole collection). Kept in memory; when the server opens stored data, all of a
 * collection's indexes are filled from its documents in one read. It serves equality on the
 * index's leading fields (up to three) with a string, ObjectId or boolean value, such as a
 * customer's claims (channel + user id), an assignee's claims or a claim's job; the collection
 * then reads only the documents filed under those values and checks the whole query on each
 * (so the index may hand it more, never fewer). A range of dates on the first field reads the
 * documents in the range ({@link TimeRanges}). Anything else ($in, other types, a later field
 * alone) reads the collection as before. A sorted query with a limit on a bucket of
 * {@value #MIN_ORDERED} documents or more gets the bucket in its sort order ({@link OrderedView},
 * made on first use and kept current), so the collection reads only until it has enough.
 *
 * Lean on purpose: a document is filed under at most one key per leading field that holds such
 * a value (one per element of an array), a key being one compact string, and its buckets are
 * remembered for removal. An earlier version that kept every key as lists filled the 1 GB heap
 * at 50 000 claims.
 */
final class EqualityIndex extends Index<Object> implements FilledOnOpen {
    /** The order a sorted, limited query asks for, and how to read a document to learn its sort values. */
    record SortRequest(Document orderBy, Function<Object, Document> loader) {
    }

    /** An index's positions in the order of the query's sort: the collection may stop at the first matches. */
    static final class OrderedPositions extends ArrayList<Object> {
        OrderedPositions(int capacity) {
            super(capacity);
        }
    }

    private static final int MAX_FIELDS = 3;
    private static final Bucket[] NONE = new Bucket[0];
    private final List<String> fields = new ArrayList<>();
    /** Key → the positions (the _id values) of the documents filed under it, in insertion order. */
    private final Map<String, Bucket> buckets = new HashMap<>();
    /** Position → the buckets the document is in, for its removal. */
    private final Map<Object, Bucket[]> filed = new HashMap<>();
    /** The documents by the time in their first field, for ranges of dates. */
    private final TimeRanges ranges;
    private boolean awaitingFill;
    /** The collection's equality indexes, this one included. */
    private final List<EqualityIndex> siblings;
    /** Set by a {@link LookupCollection} while a sorted, limited query asks its indexes. */
    static final ThreadLocal<SortRequest> SORTED = new ThreadLocal<>();
    /** A bucket smaller than this is read and sorted whole, as before (cheap enough, and no memory spent). */
    static final int MIN_ORDERED = 256;
    /** Sorted views kept per index, at most (each holds its bucket's sort values); the least recently used goes first. */
    private static final int MAX_VIEWS = 8;
    /** Bucket key and sort order → the bucket in that order, least recently used first. */
    private final LinkedHashMap<String, OrderedView> views = new LinkedHashMap<>(16, 0.75f, true);

    /** The positions under one key; keeps its key so an emptied bucket can be dropped. */
    private static final class Bucket {
        final String key;
        final Set<Object> positions = new LinkedHashSet<>();

        Bucket(String key) {
            this.key = key;
        }
    }

    EqualityIndex(String name, List<IndexKey> keys, boolean sparse, List<EqualityIndex> siblings) {
        super(name, keys, sparse);
        this.siblings = siblings;
        for (int i = 0; i < Math.min(MAX_FIELDS, keys.size()); i++) {
            fields.add(keys.get(i).getKey());
        }
        ranges = new TimeRanges(fields.get(0));
    }

    /** One value in a key: its type and length first, so no two different values (or value lists) give the same string. */
    private static void encode(StringBuilder key, Object value) {
        String text;
        char type;
        if (value instanceof String string) {
            type = 's';
            text = string;
        } else if (value instanceof ObjectId objectId) {
            type = 'o';
            text = objectId.getHexData();
        } else {
            type = 'b';
            text = value.toString();
        }
        key.append(type).append(text.length()).append(':').append(text);
    }

    private static boolean lookupValue(Object value) {
        return value instanceof String || value instanceof ObjectId || value instanceof Boolean;
    }

    /** The lookup values a document holds in a field: an array's (and nested arrays') elements, or the value. */
    private static List<Object> valuesOf(Document document, String field) {
        Object value = Utils.getSubdocumentValueCollectionAware(document, field);
        List<Object> values = new ArrayList<>(1);
        if (value instanceof Collection<?> collection) {
            for (Object element : collection) {
                if (element instanceof Collection<?> nested) {
                    for (Object inner : nested) {
                        if (lookupValue(inner) && !values.contains(inner)) {
                            values.add(inner);
                        }
                    }
                } else if (lookupValue(element) && !values.contains(element)) {
                    values.add(element);
                }
            }
        } else if (lookupValue(value)) {
            values.add(value);
        }
        return values;
    }

    /** Every key a document is filed under: one per combination of values of the first 1, 2, … fields. */
    private List<String> keysOf(Document document) {
        List<String> keys = new ArrayList<>();
        List<String> prefixes = List.of("");
        for (String field : fields) {
            List<Object> values = valuesOf(document, field);
            if (values.isEmpty()) {
                break;
            }
            List<String> longer = new ArrayList<>(prefixes.size() * values.size());
            for (String prefix : prefixes) {
                for (Object value : values) {
                    StringBuilder key = new StringBuilder(prefix);
                    encode(key, value);
                    longer.add(key.toString());
                }
            }
            keys.addAll(longer);
            prefixes = longer;
        }
        return keys;
    }

    /** The key of the query's values for the leading fields it names with a plain lookup value. */
    private String queriedKey(Document query) {
        StringBuilder key = new StringBuilder();
        for (String field : fields.subList(0, queriedFields(query))) {
            encode(key, query.get(field));
        }
        return key.toString();
    }

    private boolean indexes(Document document) {
        if (!isSparse()) {
            return true;
        }
        for (IndexKey key : getKeys()) {
            if (!(Utils.getSubdocumentValue(document, key.getKey()) instanceof Missing)) {
                return true;
            }
        }
        return false;
    }

    private static Object positionOf(Document document) {
        return Utils.getSubdocumentValue(document, "_id");
    }

    /** How many leading fields the query names with a plain lookup value. */
    private int queriedFields(Document query) {
        int named = 0;
        for (String field : fields) {
            if (!query.containsKey(field) || !lookupValue(query.get(field))) {
                break;
            }
            named++;
        }
        return named;
    }

    /**
     * Takes the query when it names this index's first field with a lookup value, unless
     * another equality index of the collection matches more of its leading fields, or when it
     * gives the first field a range of dates ({@link TimeRanges}). The collection asks every
     * index that takes a query how many documents it would hand over and uses the fewest
     * ({@link LookupCollection}).
     */
    @Override
    public synchronized boolean canHandle(Document query) {
        int mine = queriedFields(query);
        if (mine == 0) {
            return ranges.rangeOf(query) != null;
        }
        for (EqualityIndex other : siblings) {
            if (other != this && other.queriedFields(query) > mine) {
                return false;
            }
        }
        return true;
    }

    /** Whether a sort can be kept in a view: plain top-level fields, ascending or descending. */
    static boolean orderable(Document orderBy) {
        if (orderBy == null || orderBy.isEmpty()) {
            return false;
        }
        for (String field : orderBy.keySet()) {
            Object direction = orderBy.get(field);
            if (field.startsWith("$") || field.contains(".") || !(direction instanceof Number number) || Math.abs(number.doubleValue()) != 1) {
                return false;
            }
        }
        return true;
    }

    /** How many positions {@link #getPositions} would hand over for the query (counting no further than {@code atMost}). */
    synchronized long estimate(Document query, long atMost) {
        if (queriedFields(query) == 0) {
            TimeRanges.Range range = ranges.rangeOf(query);
            return range == null ? Long.MAX_VALUE : ranges.estimate(range, atMost);
        }
        Bucket bucket = buckets.get(queriedKey(query));
        return bucket == null ? 0 : bucket.positions.size();
    }

    @Override
    public synchronized Iterable<Object> getPositions(Document query) {
        if (queriedFields(query) == 0) {
            TimeRanges.Range range = ranges.rangeOf(query);
            return range == null ? List.of() : ranges.positions(range);
        }
        String key = queriedKey(query);
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            return List.of();
        }
        SortRequest sort = SORTED.get();
        if (sort != null) {
            OrderedView view = viewFor(key, bucket, sort);
            if (view != null) {
                return view.positions();
            }
        }
        // a copy: the collection reads the documents after this returns
        return new ArrayList<>(bucket.positions);
    }

    /** The bucket in the query's order: kept from an earlier query, or made now (one read of the bucket) if it is large. */
    private OrderedView viewFor(String key, Bucket bucket, SortRequest sort) {
        String viewKey = key + '\u0000' + sort.orderBy();
        OrderedView view = views.get(viewKey);
        if (view == null) {
            if (bucket.positions.size() < MIN_ORDERED) {
                return null;
            }
            if (views.size() >= MAX_VIEWS) {
                views.remove(views.keySet().iterator().next());
            }
            view = new OrderedView(key, sort.orderBy());
            for (Object position : bucket.positions) {
                Document document = sort.loader().apply(position);
                if (document != null) {
                    view.put(document, position);
                }
            }
            views.put(viewKey, view);
        }
        return view.unusable ? null : view;
    }

    @Override
    public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
        if (!indexes(document)) {
            return;
        }
        List<String> keys = keysOf(document);
        Bucket[] in = keys.isEmpty() ? NONE : new Bucket[keys.size()];
        for (int i = 0; i < in.length; i++) {
            Bucket bucket = buckets.computeIfAbsent(keys.get(i), Bucket::new);
            bucket.positions.add(position);
            in[i] = bucket;
        }
        filed.put(position, in);
        ranges.add(document, position);
        for (OrderedView view : views.values()) {
            if (keys.contains(view.bucketKey)) {
                view.put(document, position);
            }
        }
    }

    @Override
    public synchronized Object remove(Document document) {
        Object position = positionOf(document);
        Bucket[] in = filed.remove(position);
        if (in == null) {
            return null;
        }
        for (OrderedView view : views.values()) {
            view.remove(position);
        }
        ranges.remove(position);
        for (Bucket bucket : in) {
            bucket.positions.remove(position);
            if (bucket.positions.isEmpty()) {
                buckets.remove(bucket.key);
            }
        }
        return position;
    }

    /**
     * A changed document is filed again, unless the change left it under the same keys and the
     * same time (most updates change fields no index names: a claim's history, a conversation's
     * answers); then only the sorted views of its buckets take its new sort values.
     */
    @Override
    public synchronized void updateInPlace(Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection) {
        Bucket[] in = filed.get(position);
        if (in != null && Objects.equals(positionOf(oldDocument), position) && indexes(newDocument) && ranges.unchanged(newDocument, position) && sameKeys(in, keysOf(newDocument))) {
            for (OrderedView view : views.values()) {
                for (Bucket bucket : in) {
                    if (bucket.key.equals(view.bucketKey)) {
                        view.put(newDocument, position);
                        break;
                    }
                }
            }
            return;
        }
        remove(oldDocument);
        add(newDocument, position, collection);
    }

    private static boolean sameKeys(Bucket[] in, List<String> keys) {
        if (in.length != keys.size()) {
            return false;
        }
        for (int i = 0; i < in.length; i++) {
            if (!in[i].key.equals(keys.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized Object getPosition(Document document) {
        Object position = positionOf(document);
        return filed.containsKey(position) ? position : null;
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
        // not unique: nothing to refuse
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        // not unique: nothing to refuse
    }

    @Override
    public synchronized long getCount() {
        return filed.size();
    }

    /**
     * Not empty while it waits to be filled with its database's other indexes, so the
     * collection does not read every document for it alone.
     */
    @Override
    public synchronized boolean isEmpty() {
        return !awaitingFill && filed.isEmpty();
    }

    @Override
    public synchronized void fillLater() {
        awaitingFill = true;
    }

    @Override
    public synchronized void filled() {
        awaitingFill = false;
    }

    @Override
    public synchronized long getDataSize() {
        return filed.size();
    }

    @Override
    public synchronized void drop() {
        filed.clear();
        buckets.clear();
        ranges.clear();
        views.clear();
        siblings.remove(this);
    }
}
