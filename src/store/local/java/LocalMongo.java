import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.h2.mvstore.MVStore;

/**
 * claimdesk's local MongoDB-compatible server: mongo-java-server with its H2 (MVStore) backend,
 * persisted in one file, listening on loopback only.
 *
 * Usage: java LocalMongo <data-file> [port]
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

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LocalMongo <data-file> [port]");
            System.exit(2);
        }
        Path dataFile = Path.of(args[0]).toAbsolutePath();
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;
        Files.createDirectories(dataFile.getParent());

        H2Backend backend = new LookupBackend(MVStore.open(dataFile.toString()));
        backend.version(DECLARED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(new InetSocketAddress("127.0.0.1", port));

        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "localmongo-shutdown"));

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
     * checks the rest of the query on it. (Non-unique indexes are still not used: see README.md.)
     */
    static final class LookupBackend extends H2Backend {
        LookupBackend(MVStore store) {
            super(store);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new LookupDatabase(databaseName, getMvStore(), getCursorRegistry());
        }
    }

    static final class LookupDatabase extends H2Database {
        LookupDatabase(String databaseName, MVStore store, CursorRegistry cursorRegistry) {
            super(databaseName, store, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            Index<Object> index = super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
            return keys.size() == 1 ? new FieldLookupIndex(index, keys, sparse) : index;
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
            return new EqualityIndex(indexName, keys, sparse);
        }
    }

    /**
     * A non-unique index, which mongo-java-server itself ignores (every such query read the whole
     * collection). Kept in memory and rebuilt from the documents when the server opens the data;
     * it serves equality on the leading fields (up to three: customer.channel + customer.userId,
     * an assignee, a job's name) with string, ObjectId or boolean values, and hands the collection
     * every document with those values, which checks the whole query on them and sorts. Anything
     * else (ranges, other types, a field later in the key) reads the collection as before.
     */
    static final class EqualityIndex extends Index<Object> {
        private static final int MAX_PREFIX = 3;
        private final List<String> fields = new ArrayList<>();
        /** By prefix length - 1: the values of the leading fields → the positions (the _id) of the documents. */
        private final List<Map<List<Object>, Set<Object>>> byPrefix = new ArrayList<>();
        /** What each document was filed under, by position, for removal. */
        private final Map<Object, List<List<Object>>> filed = new HashMap<>();

        EqualityIndex(String name, List<IndexKey> keys, boolean sparse) {
            super(name, keys, sparse);
            for (IndexKey key : keys) {
                fields.add(key.getKey());
            }
            for (int i = 0; i < Math.min(MAX_PREFIX, fields.size()); i++) {
                byPrefix.add(new HashMap<>());
            }
        }

        private static boolean lookupValue(Object value) {
            return value instanceof String || value instanceof ObjectId || value instanceof Boolean;
        }

        /** The values a document is found under for one field: an array's elements, or the value (Missing when absent). */
        private static List<Object> valuesOf(Document document, String field) {
            Object value = Utils.getSubdocumentValueCollectionAware(document, field);
            List<Object> values = new ArrayList<>();
            if (value instanceof Collection<?> collection) {
                for (Object element : collection) {
                    if (element instanceof Collection<?> nested) {
                        values.addAll(nested);
                    } else {
                        values.add(element);
                    }
                }
            } else {
                values.add(value);
            }
            return values;
        }

        /** Every key (one value per leading field) a document is filed under, for each prefix length. */
        private List<List<Object>> keysOf(Document document) {
            List<List<Object>> keys = new ArrayList<>();
            List<List<Object>> partial = List.of(List.of());
            for (int i = 0; i < byPrefix.size(); i++) {
                List<List<Object>> longer = new ArrayList<>();
                for (List<Object> prefix : partial) {
                    for (Object value : new LinkedHashSet<>(valuesOf(document, fields.get(i)))) {
                        List<Object> key = new ArrayList<>(prefix);
                        key.add(value);
                        longer.add(key);
                    }
                }
                keys.addAll(longer);
                partial = longer;
            }
            return keys;
        }

        private static Object positionOf(Document document) {
            return Utils.getSubdocumentValue(document, "_id");
        }

        private boolean indexes(Document document) {
            if (!isSparse()) {
                return true;
            }
            for (String field : fields) {
                if (!(Utils.getSubdocumentValue(document, field) instanceof Missing)) {
                    return true;
                }
            }
            return false;
        }

        /** The query's values for the leading fields it names with a plain string, ObjectId or boolean. */
        private List<Object> queriedPrefix(Document query) {
            List<Object> prefix = new ArrayList<>();
            for (int i = 0; i < byPrefix.size(); i++) {
                Object value = query.get(fields.get(i));
                if (!query.containsKey(fields.get(i)) || !lookupValue(value)) {
                    break;
                }
                prefix.add(value);
            }
            return prefix;
        }

        @Override
        public synchronized boolean canHandle(Document query) {
            return !queriedPrefix(query).isEmpty();
        }

        @Override
        public synchronized Iterable<Object> getPositions(Document query) {
            List<Object> prefix = queriedPrefix(query);
            Set<Object> positions = byPrefix.get(prefix.size() - 1).get(prefix);
            // a copy: the collection reads the documents after this returns
            return positions == null ? List.of() : new ArrayList<>(positions);
        }

        @Override
        public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
            if (!indexes(document)) {
                return;
            }
            List<List<Object>> keys = keysOf(document);
            for (List<Object> key : keys) {
                byPrefix.get(key.size() - 1).computeIfAbsent(key, k -> new LinkedHashSet<>()).add(position);
            }
            filed.put(position, keys);
        }

        @Override
        public synchronized Object remove(Document document) {
            Object position = positionOf(document);
            List<List<Object>> keys = filed.remove(position);
            if (keys == null) {
                return null;
            }
            for (List<Object> key : keys) {
                Map<List<Object>, Set<Object>> map = byPrefix.get(key.size() - 1);
                Set<Object> positions = map.get(key);
                if (positions != null) {
                    positions.remove(position);
                    if (positions.isEmpty()) {
                        map.remove(key);
                    }
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

        @Override
        public synchronized boolean isEmpty() {
            return filed.isEmpty();
        }

        @Override
        public synchronized long getDataSize() {
            return filed.size();
        }

        @Override
        public synchronized void drop() {
            filed.clear();
            for (Map<List<Object>, Set<Object>> map : byPrefix) {
                map.clear();
            }
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
