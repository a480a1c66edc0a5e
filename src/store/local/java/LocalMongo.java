import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import de.bwaldvogel.mongo.exception.KeyConstraintError;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * claimdesk's local MongoDB-compatible server: mongo-java-server with its H2 (MVStore) backend
 * held in memory, every change journaled to disk and synced before it is acknowledged
 * ({@link DurableStore}), listening on loopback only.
 *
 * Usage: java LocalMongo <data-folder> [port]
 * Prints "ready <port>" on stdout once it accepts connections (port 0 picks a free one).
 * Exits when stdin closes, so a crashed parent (npm start, a test run) never leaves it behind.
 */
public final class LocalMongo {
    /** Declared as MongoDB 6.0 (wire version 17): the Node.js driver 7 needs at least wire version 9. */
    private static final MongoVersion DECLARED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(6, 0, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 17;
        }
    };

    private LocalMongo() {
    }

    /** mongo-java-server's H2 backend keeps a collection's documents and its size in these maps. */
    static final String DATA_PREFIX = "databases.";
    static final String META_PREFIX = "meta.";
    static final String DATA_SIZE_KEY = "dataSize";

    /** The journal every change goes through (one store per server process). */
    static DurableStore durable;

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LocalMongo <data-folder> [port]");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;

        MongoServer server;
        try {
            durable = DurableStore.open(dataDir, line -> {
                System.err.println(line);
                System.err.flush();
            });
            H2Backend backend = new LookupBackend(durable.memory());
            backend.version(DECLARED_VERSION);
            server = new MongoServer(backend);
            server.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (DurableStore.DamagedException e) {
            System.err.println("localdb fatal: " + e.getMessage());
            System.exit(3);
            return;
        } catch (Exception | OutOfMemoryError e) {
            System.err.println("localdb fatal: the local database in " + dataDir + " did not start (" + e + ")");
            System.exit(3);
            return;
        }

        MongoServer running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.shutdown();
            try {
                durable.close();
            } catch (IOException ignored) {
                // every acknowledged write was synced already; closing only releases the files
            }
        }, "localmongo-shutdown"));

        System.out.println("ready " + server.getLocalAddress().getPort());
        System.out.flush();

        waitForStdinToClose(System.in);
        System.exit(0);
    }

    /**
     * mongo-java-server uses an index only when a query names exactly the index's fields, so a
     * compare-and-swap such as {_id, version} read every document of the collection. With this
     * backend a single-field unique index (_id, a claim's number, …) also serves queries that name
     * its field beside others: the index finds the one document with that value and the collection
     * checks the rest of the query on it. Non-unique indexes serve equality lookups (EqualityIndex).
     */
    static final class LookupBackend extends H2Backend {
        LookupBackend(MVStore store) {
            super(store);
        }

        /**
         * Every command answers only after the changes it (or a request before it) made are synced
         * to the journal: nothing is acknowledged that a kill or a power cut could take back.
         */
        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            durable.gate.readLock().lock();
            try {
                return super.handleCommand(channel, databaseName, command, query);
            } finally {
                try {
                    durable.sync();
                } finally {
                    durable.gate.readLock().unlock();
                }
            }
        }

        /**
         * Opens a database, then fills the equality indexes it opened from the stored documents in
         * one read per collection (mongo-java-server would read every collection twice per index:
         * with the claims' 14 indexes, minutes at start-up for a large registry).
         */
        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            Map<String, List<FilledOnOpen>> opened = new HashMap<>();
            OPENING.set(opened);
            LookupDatabase database;
            try {
                database = new LookupDatabase(databaseName, getMvStore(), getCursorRegistry());
            } finally {
                OPENING.remove();
            }
            opened.forEach((collectionName, indexes) -> fill(database.resolveCollection(collectionName, true), indexes));
            return database;
        }

        private static void fill(MongoCollection<Object> collection, List<FilledOnOpen> indexes) {
            try (Stream<DocumentWithPosition<Object>> documents = allDocuments(collection)) {
                documents.forEach(entry -> {
                    for (FilledOnOpen index : indexes) {
                        index.add(entry.getDocument(), entry.getPosition(), collection);
                    }
                });
            }
            for (FilledOnOpen index : indexes) {
                index.filled();
            }
        }

        /** Every stored document of a collection with its position, read as a stream (not held in memory at once). */
        @SuppressWarnings("unchecked")
        private static Stream<DocumentWithPosition<Object>> allDocuments(MongoCollection<Object> collection) {
            try {
                Method method = H2Collection.class.getDeclaredMethod("streamAllDocumentsWithPosition");
                method.setAccessible(true);
                return (Stream<DocumentWithPosition<Object>>) method.invoke(collection);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read the documents of " + collection.getCollectionName() + " to fill its indexes", e);
            }
        }
    }

    /** While a database is being opened: the indexes it opened, by collection (filled once it is open). */
    private static final ThreadLocal<Map<String, List<FilledOnOpen>>> OPENING = new ThreadLocal<>();

    /**
     * An index kept in memory only: a stored collection's is filled from its documents when its
     * database opens, in one read for all of the collection's indexes. Until then it reports
     * itself not empty, so the collection does not read every document for it alone.
     */
    interface FilledOnOpen {
        void add(Document document, Object position, MongoCollection<Object> collection);

        void fillLater();

        void filled();
    }

    /** Files an index opened with its database for the one read that fills them all. */
    private static void fillWithDatabase(String collectionName, FilledOnOpen index) {
        Map<String, List<FilledOnOpen>> opening = OPENING.get();
        if (opening != null) {
            index.fillLater();
            opening.computeIfAbsent(collectionName, name -> new ArrayList<>()).add(index);
        }
    }

    static final class LookupDatabase extends H2Database {
        /** Each collection's equality indexes, so a query goes to the one that narrows it most. */
        private Map<String, List<EqualityIndex>> equalityIndexes;

        LookupDatabase(String databaseName, MVStore store, CursorRegistry cursorRegistry) {
            super(databaseName, store, cursorRegistry);
        }

        /** As H2Database opens a collection (the same two maps), as a {@link LookupCollection}. */
        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            // called by the superclass's constructor too, before this class's fields are set: the store comes from H2Database
            MVStore store = storeOf(this);
            String fullName = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> dataMap = store.openMap(DATA_PREFIX + fullName);
            MVMap<String, Object> metaMap = store.openMap(META_PREFIX + fullName);
            return new LookupCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        public void dropCollection(String collectionName, Oplog oplog) {
            super.dropCollection(collectionName, oplog);
            String fullName = getFullCollectionNamespace(collectionName);
            durable.drop(DATA_PREFIX + fullName);
            durable.drop(META_PREFIX + fullName);
        }

        @Override
        public void drop(Oplog oplog) {
            MVStore store = storeOf(this);
            List<String> maps = store.getMapNames().stream()
                .filter(name -> name.startsWith(DATA_PREFIX + getDatabaseName() + ".") || name.startsWith(META_PREFIX + getDatabaseName() + "."))
                .toList();
            super.drop(oplog);
            maps.forEach(durable::drop);
        }

        @Override
        public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection, String newCollectionName) {
            String oldName = collection.getFullName();
            super.moveCollection(oldDatabase, collection, newCollectionName);
            String newName = getFullCollectionNamespace(newCollectionName);
            durable.rename(DATA_PREFIX + oldName, DATA_PREFIX + newName);
            durable.rename(META_PREFIX + oldName, META_PREFIX + newName);
        }

        private static MVStore storeOf(H2Database database) {
            try {
                Field field = H2Database.class.getDeclaredField("mvStore");
                field.setAccessible(true);
                return (MVStore) field.get(database);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot reach the store of database " + database.getDatabaseName(), e);
            }
        }

        /**
         * A unique index as a hash map in memory ({@link HashUniqueIndex}) instead of
         * mongo-java-server's H2 map, whose keys H2 compares by Java-serialising both sides:
         * every _id lookup serialised a dozen keys, about a third of the server's time under load.
         * It is rebuilt from the documents when the server starts.
         */
        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            HashUniqueIndex index = new HashUniqueIndex(indexName, keys, sparse);
            fillWithDatabase(collectionName, index);
            return keys.size() == 1 ? new FieldLookupIndex(index, keys, sparse) : index;
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            // no initialiser: the superclass's constructor opens the stored indexes before this class's fields would be set
            if (equalityIndexes == null) {
                equalityIndexes = new ConcurrentHashMap<>();
            }
            List<EqualityIndex> siblings = equalityIndexes.computeIfAbsent(collectionName, name -> new CopyOnWriteArrayList<>());
            EqualityIndex index = new EqualityIndex(indexName, keys, sparse, siblings);
            siblings.add(index);
            fillWithDatabase(collectionName, index);
            return index;
        }
    }

    /**
     * A collection whose sorted, limited queries stop early: mongo-java-server reads every document
     * an index hands it, then sorts them all and keeps the first few. Agenda locks each job with a
     * findOneAndUpdate sorted on nextRunAt, so with thousands of jobs of one kind every lock read
     * them all. Here an equality index hands a large bucket's positions already in the query's
     * order ({@link OrderedPositions}), and the collection reads them in that order only until it
     * has skip + limit matches; those go through mongo-java-server's own matching and sorting.
     */
    static final class LookupCollection extends H2Collection {
        private final MVMap<String, Object> metaMap;

        LookupCollection(MongoDatabase database, String collectionName, CollectionOptions options, MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
            this.metaMap = metaMap;
        }

        // Every change to the collection's maps goes to the journal, as the map holds it after the change.

        @Override
        protected Object addDocumentInternal(Document document) {
            Object key = super.addDocumentInternal(document);
            durable.put(DATA_PREFIX + getFullName(), Missing.ofNullable(key), document);
            return key;
        }

        @Override
        protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
            super.handleUpdate(position, oldDocument, newDocument);
            durable.put(DATA_PREFIX + getFullName(), Missing.ofNullable(position), newDocument);
        }

        @Override
        protected void removeDocument(Object position) {
            super.removeDocument(position);
            durable.remove(DATA_PREFIX + getFullName(), position);
        }

        @Override
        protected void updateDataSize(int sizeDelta) {
            // the superclass changes the size under this lock too: the journal gets the sizes in the order they were set
            synchronized (metaMap) {
                super.updateDataSize(sizeDelta);
                durable.put(META_PREFIX + getFullName(), DATA_SIZE_KEY, metaMap.get(DATA_SIZE_KEY));
            }
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
            if (limit <= 0 || !EqualityIndex.orderable(orderBy)) {
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            EqualityIndex.SORTED.set(new SortRequest(orderBy, this::getDocument));
            try {
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            } finally {
                EqualityIndex.SORTED.remove();
            }
        }

        @Override
        protected QueryResult matchDocuments(Document query, Iterable<Object> positions, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
            if (!(positions instanceof OrderedPositions ordered) || limit <= 0) {
                return super.matchDocuments(query, positions, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            int wanted = numberToSkip + limit;
            List<Object> first = new ArrayList<>(Math.min(wanted, 64));
            for (Object position : ordered) {
                Document document = getDocument(position);
                if (document != null && documentMatchesQuery(document, query)) {
                    first.add(position);
                    if (first.size() >= wanted) {
                        break;
                    }
                }
            }
            return super.matchDocuments(query, first, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
    }

    /** The order a sorted, limited query asks for, and how to read a document to learn its sort values. */
    record SortRequest(Document orderBy, Function<Object, Document> loader) {
    }

    /** An index's positions in the order of the query's sort: the collection may stop at the first matches. */
    static final class OrderedPositions extends ArrayList<Object> {
        OrderedPositions(int capacity) {
            super(capacity);
        }
    }

    /**
     * One bucket of an equality index kept in one sort order: each document's sort fields (only
     * those) with its position, sorted by mongo-java-server's own comparator, ties in insertion
     * order. Made when a sorted query first asks for it, then kept current as documents come, change
     * and go.
     */
    static final class OrderedView {
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

        OrderedPositions positions() {
            OrderedPositions positions = new OrderedPositions(entries.size());
            for (Entry entry : entries) {
                positions.add(entry.position());
            }
            return positions;
        }
    }

    /**
     * A non-unique index, which mongo-java-server itself accepts but ignores (every such query read
     * the whole collection). Kept in memory; when the server opens stored data, all of a
     * collection's indexes are filled from its documents in one read. It serves equality on the
     * index's leading fields (up to three) with a string, ObjectId or boolean value, such as a
     * customer's claims (channel + user id), an assignee's claims or a claim's job; the collection
     * then reads only the documents filed under those values and checks the whole query on each
     * (so the index may hand it more, never fewer). Anything else (ranges, $in, other types, a
     * later field alone) reads the collection as before. A sorted query with a limit on a bucket of
     * {@value #MIN_ORDERED} documents or more gets the bucket in its sort order ({@link OrderedView},
     * made on first use and kept current), so the collection reads only until it has enough.
     *
     * Lean on purpose: a document is filed under at most one key per leading field that holds such
     * a value (one per element of an array), a key being one compact string, and its buckets are
     * remembered for removal. An earlier version that kept every key as lists filled the 1 GB heap
     * at 50 000 claims.
     */
    static final class EqualityIndex extends Index<Object> implements FilledOnOpen {
        private static final int MAX_FIELDS = 3;
        private static final Bucket[] NONE = new Bucket[0];
        private final List<String> fields = new ArrayList<>();
        /** Key → the positions (the _id values) of the documents filed under it, in insertion order. */
        private final Map<String, Bucket> buckets = new HashMap<>();
        /** Position → the buckets the document is in, for its removal. */
        private final Map<Object, Bucket[]> filed = new HashMap<>();
        private boolean awaitingFill;
        /** The collection's equality indexes, this one included. */
        private final List<EqualityIndex> siblings;
        /** Set by a {@link LookupCollection} while a sorted, limited query asks its indexes. */
        static final ThreadLocal<SortRequest> SORTED = new ThreadLocal<>();
        /** A bucket smaller than this is read and sorted whole, as before (cheap enough, and no memory spent). */
        private static final int MIN_ORDERED = 256;
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
         * another equality index of the collection matches more of its leading fields (the
         * collection asks its indexes in creation order and uses the first that says yes).
         */
        @Override
        public boolean canHandle(Document query) {
            int mine = queriedFields(query);
            if (mine == 0) {
                return false;
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

        @Override
        public synchronized Iterable<Object> getPositions(Document query) {
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
            for (Bucket bucket : in) {
                bucket.positions.remove(position);
                if (bucket.positions.isEmpty()) {
                    buckets.remove(bucket.key);
                }
            }
            return position;
        }

        @Override
        public synchronized void updateInPlace(Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection) {
            remove(oldDocument);
            add(newDocument, position, collection);
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
            views.clear();
            siblings.remove(this);
        }
    }

    /**
     * A unique index in a hash map (key values → positions), kept in memory and filled from the
     * documents when its database opens. mongo-java-server's own checks (uniqueness, sparse
     * documents, $in and range queries over the keys) come from its AbstractUniqueIndex.
     */
    static final class HashUniqueIndex extends AbstractUniqueIndex<Object> implements FilledOnOpen {
        private final Map<KeyValue, Object> positions = new ConcurrentHashMap<>();
        private volatile boolean awaitingFill;

        HashUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
            super(name, keys, sparse);
        }

        @Override
        protected Object removeDocument(KeyValue keyValue) {
            return positions.remove(keyValue);
        }

        @Override
        protected boolean putKeyPosition(KeyValue keyValue, Object position) {
            // as mongo-java-server's H2 index: a null _id is stored as Missing (the map takes no nulls)
            return positions.putIfAbsent(keyValue, Missing.ofNullable(position)) == null;
        }

        @Override
        protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
            return positions.entrySet();
        }

        @Override
        protected Object getPosition(KeyValue keyValue) {
            return positions.get(keyValue);
        }

        @Override
        public long getCount() {
            return positions.size();
        }

        @Override
        public boolean isEmpty() {
            return !awaitingFill && positions.isEmpty();
        }

        @Override
        public long getDataSize() {
            return positions.size();
        }

        @Override
        public void fillLater() {
            awaitingFill = true;
        }

        @Override
        public void filled() {
            awaitingFill = false;
        }

        @Override
        public void drop() {
            positions.clear();
            super.drop();
        }
    }

    /** A single-field unique index as mongo-java-server makes it, also taking queries that name its field and more. */
    static final class FieldLookupIndex extends Index<Object> {
        private final Index<Object> inner;
        private final String field;

        FieldLookupIndex(Index<Object> inner, List<IndexKey> keys, boolean sparse) {
            super(inner.getName(), keys, sparse);
            this.inner = inner;
            this.field = keys.get(0).getKey();
        }

        private Document fieldOnly(Document query) {
            return new Document(field, query.get(field));
        }

        @Override
        public boolean canHandle(Document query) {
            return inner.canHandle(query) || (query.containsKey(field) && inner.canHandle(fieldOnly(query)));
        }

        @Override
        public Iterable<Object> getPositions(Document query) {
            // a superset of the matches: the collection checks every other condition of the query
            return inner.canHandle(query) ? inner.getPositions(query) : inner.getPositions(fieldOnly(query));
        }

        @Override
        public Object getPosition(Document document) {
            return inner.getPosition(document);
        }

        @Override
        public void checkAdd(Document document, MongoCollection<Object> collection) {
            inner.checkAdd(document, collection);
        }

        @Override
        public void add(Document document, Object position, MongoCollection<Object> collection) {
            inner.add(document, position, collection);
        }

        @Override
        public Object remove(Document document) {
            return inner.remove(document);
        }

        @Override
        public long getCount() {
            return inner.getCount();
        }

        @Override
        public boolean isEmpty() {
            return inner.isEmpty();
        }

        @Override
        public long getDataSize() {
            return inner.getDataSize();
        }

        @Override
        public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
            inner.checkUpdate(oldDocument, newDocument, collection);
        }

        @Override
        public void updateInPlace(Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection) throws KeyConstraintError {
            inner.updateInPlace(oldDocument, newDocument, position, collection);
        }

        @Override
        public void drop() {
            inner.drop();
        }

        @Override
        public boolean isUnique() {
            return inner.isUnique();
        }

        @Override
        public boolean hasSameOptions(Index<?> other) {
            return inner.hasSameOptions(other instanceof FieldLookupIndex lookup ? lookup.inner : other);
        }

        @Override
        public Set<KeyValue> getKeyValues(Document document) {
            return inner.getKeyValues(document);
        }

        @Override
        public Document toIndexDescription() {
            return inner.toIndexDescription();
        }
    }

    private static void waitForStdinToClose(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the parent never writes; anything it sends is ignored
            }
        } catch (IOException ignored) {
            // a broken pipe means the parent is gone: stop as on EOF
        }
    }
}
