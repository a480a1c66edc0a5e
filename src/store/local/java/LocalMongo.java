import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

        H2Backend backend = new H2Backend(dataFile.toString());
        backend.version(DECLARED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(new InetSocketAddress("127.0.0.1", port));

        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "localmongo-shutdown"));

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
