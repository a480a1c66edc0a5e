import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
