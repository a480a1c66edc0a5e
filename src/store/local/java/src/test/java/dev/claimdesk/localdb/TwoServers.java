package dev.claimdesk.localdb;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server as it comes (an H2 backend on an in-memory MVStore, none of our classes) and
 * our patched server (LookupBackend on a DurableStore in {@code folder}), each on loopback with
 * a driver client. The patched one can be restarted from its folder (journal replay, index refill).
 */
final class TwoServers implements AutoCloseable {
    private final Path folder;
    private final MongoServer plainServer;
    private final MongoClient plainClient;
    private MongoServer patchedServer;
    private DurableStore durable;
    private MongoClient patchedClient;

    TwoServers(Path folder) throws Exception {
        this.folder = folder;
        H2Backend plain = new H2Backend(new MVStore.Builder().open());
        plain.version(LocalMongo.DECLARED_VERSION);
        plainServer = new MongoServer(plain);
        plainServer.bind(new InetSocketAddress("127.0.0.1", 0));
        plainClient = MongoClients.create(uri(plainServer.getLocalAddress()));
        startPatched();
    }

    private static String uri(InetSocketAddress address) {
        return "mongodb://127.0.0.1:" + address.getPort() + "/?serverSelectionTimeoutMS=5000";
    }

    private void startPatched() throws Exception {
        durable = DurableStore.open(folder, line -> { });
        H2Backend backend = LookupBackend.open(durable);
        backend.version(LocalMongo.DECLARED_VERSION);
        patchedServer = new MongoServer(backend);
        patchedServer.bind(new InetSocketAddress("127.0.0.1", 0));
        patchedClient = MongoClients.create(uri(patchedServer.getLocalAddress()));
    }

    /** Stops the patched server and starts it again from its folder: what survives is what the journal holds. */
    void restartPatched() throws Exception {
        stopPatched();
        startPatched();
    }

    private void stopPatched() throws IOException {
        patchedClient.close();
        patchedServer.shutdownNow();
        durable.close();
    }

    MongoDatabase plain(String database) {
        return plainClient.getDatabase(database);
    }

    MongoDatabase patched(String database) {
        return patchedClient.getDatabase(database);
    }

    @Override
    public void close() throws IOException {
        stopPatched();
        plainClient.close();
        plainServer.shutdownNow();
    }
}
