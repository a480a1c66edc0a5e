package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * claimdesk's local MongoDB-compatible server: mongo-java-server with its H2 (MVStore) backend
 * held in memory, every change journaled to disk and synced before it is acknowledged
 * ({@link DurableStore}), listening on loopback only.
 *
 * Usage: java dev.claimdesk.localdb.LocalMongo <data-folder> [port]
 * Prints "ready <port>" on stdout once it accepts connections (port 0 picks a free one).
 * Exits when stdin closes, so a crashed parent (npm start, a test run) never leaves it behind.
 */
public final class LocalMongo {
    /** Declared as MongoDB 6.0 (wire version 17): the Node.js driver 7 needs at least wire version 9. */
    static final MongoVersion DECLARED_VERSION = new MongoVersion() {
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
            System.err.println("usage: LocalMongo <data-folder> [port]");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;

        MongoServer server;
        DurableStore durable;
        try {
            durable = DurableStore.open(dataDir, line -> {
                System.err.println(line);
                System.err.flush();
            });
            H2Backend backend = LookupBackend.open(durable);
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
        DurableStore store = durable;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.shutdown();
            try {
                store.close();
            } catch (IOException ignored) {
                // every acknowledged write was synced already; closing only releases the files
            }
        }, "localmongo-shutdown"));

        System.out.println("ready " + server.getLocalAddress().getPort());
        System.out.flush();

        waitForStdinToClose(System.in);
        System.exit(0);
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
