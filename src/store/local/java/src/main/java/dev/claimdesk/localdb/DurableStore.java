package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RootReference;

/**
 * The local server's storage: every document lives in an in-memory MVStore (what mongo-java-server's
 * H2 backend reads and writes), and every change to it is appended to a journal on disk that is
 * synced before the server answers the request that made it. At start-up the last snapshot is
 * loaded, the journal replayed on top, and both are folded into a new snapshot.
 *
 * Why not MVStore's own file: with its defaults it writes in the background about once a second,
 * so a killed server lost writes it had acknowledged, and in our kill tests it sometimes left a
 * file it could not read again. Here the on-disk format is two append-only kinds of file whose
 * records carry a length and a checksum:
 * <ul>
 * <li>{@code snapshot-N.dat}: the whole state, written to a temporary file, synced, then renamed
 * into place (a snapshot either is complete or does not exist under that name);</li>
 * <li>{@code journal-N.log}: the changes since snapshot N, one record per map change. A kill can
 * only leave the last record torn; it was never acknowledged, and it is cut off at start-up.</li>
 * </ul>
 * While the server runs, a journal grown large is folded into the next snapshot without holding
 * the writes up for the snapshot's writing: with no request running (the gate held alone for a
 * moment) the fold takes the maps as they are (MVStore's maps are copy-on-write: a root taken
 * stays as it was) and starts journal N+1, then writes snapshot N+1 from those roots while the
 * requests go on writing into journal N+1. Until snapshot N+1 has its name, snapshot N, journal N
 * and journal N+1 together hold the state: a start-up reads the newest snapshot and replays its
 * journal and every later one.
 * A record is: magic (4 bytes), payload length (4), CRC-32C of the payload (4), payload (a BSON
 * document: {@code {op, m, k, v}}). Changes are recorded at the level of the store's maps (a
 * collection's documents {@code databases.db.coll}, its size {@code meta.db.coll}), so replaying
 * them needs none of mongo-java-server's logic and rebuilds exactly the state that was written.
 */
final class DurableStore implements AutoCloseable {
    private static final int MAGIC = 0x434A4C31; // "CJL1"
    private static final int HEADER = 12;
    /** A snapshot is folded from the journal when the journal grows past this and past twice the snapshot. */
    static final long COMPACT_AT_BYTES = 64L * 1024 * 1024;
    /** At start-up a journal is folded into a new snapshot only when it is worth it (a large snapshot is slow to write). */
    private static final long FOLD_AT_START_BYTES = 4L * 1024 * 1024;
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d+)\\.dat");
    private static final String LEGACY_FILE = "claimdesk.mv";

    /** Thrown when the files on disk cannot be read: the message is one line for the person running the desk. */
    static final class DamagedException extends Exception {
        DamagedException(String message) {
            super(message);
        }
    }

    interface Say {
        void line(String text);
    }

    private final Path dir;
    private final MVStore memory;
    private final Say say;
    private final FileChannel lockChannel;
    /** The journal's size past which (and past twice the snapshot's) a runtime fold starts. */
    private final long compactAtBytes;
    /** Requests hold it shared while they run and until their changes are synced; a fold holds it alone while it takes the maps' roots and starts the next journal. */
    final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final Object appendLock = new Object();
    private final Object syncLock = new Object();
    private final AtomicBoolean folding = new AtomicBoolean();
    /** Tests only: run by a runtime fold once it has let go of the gate, before it writes the snapshot. */
    volatile Runnable afterCut;
    /** Changed by a runtime fold while requests run (they read it for the fold's threshold and in error lines). */
    private volatile long generation;
    private volatile long snapshotBytes;
    private FileChannel journal;
    private long appended;
    private volatile long synced;

    private DurableStore(Path dir, MVStore memory, Say say, FileChannel lockChannel, long compactAtBytes) {
        this.dir = dir;
        this.memory = memory;
        this.say = say;
        this.lockChannel = lockChannel;
        this.compactAtBytes = compactAtBytes;
    }

    /** The in-memory store the backend works on. */
    MVStore memory() {
        return memory;
    }

    /**
     * Opens (or creates) the data folder: loads the newest snapshot, replays its journal, cuts a
     * torn last record, migrates a data file of the earlier MVStore launcher, and folds it all into
     * a new snapshot when the replayed journal is worth it (over FOLD_AT_START_BYTES and a quarter
     * of the snapshot); a smaller one is appended to.
     */
    static DurableStore open(Path dir, Say say) throws IOException, DamagedException {
        return open(dir, say, FOLD_AT_START_BYTES);
    }

    /** As {@link #open(Path, Say)}, folding any journal of more than `foldAtStartBytes` that held a change (0: every one). */
    static DurableStore open(Path dir, Say say, long foldAtStartBytes) throws IOException, DamagedException {
        return open(dir, say, foldAtStartBytes, COMPACT_AT_BYTES);
    }

    /** As {@link #open(Path, Say, long)}, folding at run time once the journal passes `compactAtBytes` (and twice the snapshot). */
    static DurableStore open(Path dir, Say say, long foldAtStartBytes, long compactAtBytes) throws IOException, DamagedException {
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this same process (a second store on the folder, as in the tests)
        }
        if (lock == null) {
            lockChannel.close();
            throw new DamagedException("another local database is already running on " + dir + ": stop it first");
        }
        DurableStore store = new DurableStore(dir, new MVStore.Builder().open(), say, lockChannel, compactAtBytes);
        store.load(foldAtStartBytes);
        return store;
    }

    private void load(long foldAtStartBytes) throws IOException, DamagedException {
        long started = System.nanoTime();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path stale : files.filter(file -> file.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.delete(stale);
            }
        }
        long newest = newestSnapshot();
        Path legacy = dir.resolve(LEGACY_FILE);
        boolean migrated = newest == 0 && Files.exists(legacy);
        boolean fold;
        if (newest > 0) {
            generation = newest;
            snapshotBytes = Files.size(snapshotFile(newest));
            readSnapshot(snapshotFile(newest));
            fold = replayJournal(journalFile(newest)) && Files.size(journalFile(newest)) > (foldAtStartBytes == 0 ? 0 : Math.max(foldAtStartBytes, snapshotBytes / 4));
            // a runtime fold stopped before its snapshot got its name: the journal it started follows on
            // (its writes were acknowledged); the state is then folded, so no generation is left without its snapshot
            while (Files.exists(journalFile(generation + 1))) {
                generation++;
                replayJournal(journalFile(generation));
                fold = true;
            }
        } else {
            if (migrated) {
                copyLegacy(legacy);
            }
            generation = 0;
            fold = true;
        }
        long loaded = System.nanoTime();
        if (fold) {
            foldSnapshot();
        } else {
            openJournal(journalFile(generation), false);
        }
        removeOlderGenerations();
        say.line("localdb: opened " + dir + " (snapshot " + generation + ", " + snapshotBytes / 1024 + " KB) in "
            + (loaded - started) / 1_000_000 + " ms" + (fold ? ", folded the journal into a new snapshot in " + (System.nanoTime() - loaded) / 1_000_000 + " ms" : ""));
        if (migrated) {
            Path kept = dir.resolve(LEGACY_FILE + ".before-journal");
            Files.move(legacy, kept, StandardCopyOption.REPLACE_EXISTING);
            say.line("localdb: moved the data of " + legacy.getFileName() + " into the journaled store; the old file is kept as " + kept.getFileName());
        }
    }

    private long newestSnapshot() throws IOException {
        long newest = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Matcher matcher = SNAPSHOT.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    newest = Math.max(newest, Long.parseLong(matcher.group(1)));
                }
            }
        }
        return newest;
    }

    private Path snapshotFile(long gen) {
        return dir.resolve("snapshot-" + gen + ".dat");
    }

    private Path journalFile(long gen) {
        return dir.resolve("journal-" + gen + ".log");
    }

    // ---------------------------------------------------------------- reading

    /** A snapshot was synced before it got its name: it must read whole, to its end record. */
    private void readSnapshot(Path file) throws IOException, DamagedException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        long records = 0;
        while (buffer.remaining() > 0) {
            int at = buffer.position();
            Document record = nextRecord(buffer);
            if (record == null) {
                throw damaged(file, at, "a record does not read back (wrong length or checksum)");
            }
            if ("end".equals(record.get("op"))) {
                if (((Number) record.get("records")).longValue() != records || buffer.remaining() > 0) {
                    throw damaged(file, at, "its end does not match its records");
                }
                return;
            }
            apply(record);
            records++;
        }
        throw damaged(file, bytes.length, "it ends before its end record");
    }

    /**
     * Replays a journal. A record that does not read back is the torn end of a write that was never
     * acknowledged only if no whole record follows it; then the file is cut there. A whole record
     * after a broken one means the file was damaged: the server does not start.
     * @return whether the journal held any change
     */
    private boolean replayJournal(Path file) throws IOException, DamagedException {
        if (!Files.exists(file)) {
            return false;
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        long changes = 0;
        while (buffer.remaining() > 0) {
            int at = buffer.position();
            Document record = nextRecord(buffer);
            if (record == null) {
                if (wholeRecordAfter(bytes, at + 1)) {
                    throw damaged(file, at, "a record in its middle does not read back");
                }
                say.line("localdb: cut " + (bytes.length - at) + " bytes of a write that was never acknowledged at the end of " + file.getFileName());
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(at);
                    channel.force(true);
                }
                break;
            }
            if (!"head".equals(record.get("op"))) {
                apply(record);
                changes++;
            }
        }
        return changes > 0;
    }

    private static boolean wholeRecordAfter(byte[] bytes, int from) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        for (int at = from; at + HEADER <= bytes.length; at++) {
            if (buffer.getInt(at) == MAGIC) {
                buffer.position(at);
                if (nextRecord(buffer) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The next record, or null when the bytes there are not a whole record with the right checksum. */
    private static Document nextRecord(ByteBuffer buffer) {
        if (buffer.remaining() < HEADER || buffer.getInt(buffer.position()) != MAGIC) {
            return null;
        }
        int length = buffer.getInt(buffer.position() + 4);
        int checksum = buffer.getInt(buffer.position() + 8);
        if (length < 5 || length > buffer.remaining() - HEADER) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), buffer.position() + HEADER, length);
        if ((int) crc.getValue() != checksum) {
            return null;
        }
        ByteBuf payload = Unpooled.wrappedBuffer(buffer.array(), buffer.position() + HEADER, length);
        Document record;
        try {
            record = BsonDecoder.decodeBson(payload);
        } catch (RuntimeException e) {
            return null;
        }
        buffer.position(buffer.position() + HEADER + length);
        return record;
    }

    private DamagedException damaged(Path file, int at, String what) {
        return new DamagedException("the data file " + file + " is damaged at byte " + at + " (" + what
            + "): restore the folder " + dir + " from a backup, or move it away to start with an empty database");
    }

    /** Applies one recorded change to the in-memory maps. */
    private void apply(Document record) {
        String op = (String) record.get("op");
        String map = (String) record.get("m");
        switch (op) {
            case "put" -> memory.openMap(map).put(key(record), SharedKeys.value(record.get("v")));
            case "del" -> {
                if (memory.hasMap(map)) {
                    memory.openMap(map).remove(key(record));
                }
            }
            case "drop" -> {
                if (memory.hasMap(map)) {
                    memory.removeMap(map);
                }
            }
            case "rename" -> {
                String to = (String) record.get("to");
                if (memory.hasMap(to)) {
                    memory.removeMap(to);
                }
                if (memory.hasMap(map)) {
                    memory.renameMap(memory.openMap(map), to);
                }
            }
            default -> throw new IllegalStateException("unknown journal record " + op);
        }
    }

    private static Object key(Document record) {
        return Boolean.TRUE.equals(record.get("km")) ? Missing.getInstance() : record.get("k");
    }

    /** A data file of the launcher before the journal: its maps are copied once (the file is then kept beside as a backup). */
    private void copyLegacy(Path file) throws DamagedException {
        MVStore legacy;
        try {
            legacy = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        } catch (RuntimeException e) {
            throw new DamagedException("the data file " + file + " cannot be read (" + e.getClass().getSimpleName()
                + "): restore it from a backup, or move it away to start with an empty database");
        }
        try {
            for (String name : legacy.getMapNames()) {
                if (isDataMap(name)) {
                    MVMap<Object, Object> source = legacy.openMap(name);
                    MVMap<Object, Object> target = memory.openMap(name);
                    for (Map.Entry<Object, Object> entry : source.entrySet()) {
                        target.put(entry.getKey(), SharedKeys.value(entry.getValue()));
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new DamagedException("the data file " + file + " cannot be read (" + e.getClass().getSimpleName()
                + "): restore it from a backup, or move it away to start with an empty database");
        } finally {
            legacy.close();
        }
    }

    private static boolean isDataMap(String name) {
        return name.startsWith("databases.") || name.startsWith("meta.");
    }

    // ---------------------------------------------------------------- writing

    /** Records that a map now holds this value under this key. */
    void put(String map, Object key, Object value) {
        Document record = new Document("op", "put").append("m", map);
        appendKey(record, key);
        record.append("v", value);
        append(record);
    }

    /** Records that a key is gone from a map. */
    void remove(String map, Object key) {
        Document record = new Document("op", "del").append("m", map);
        appendKey(record, key);
        append(record);
    }

    /** Records that a map is gone. */
    void drop(String map) {
        append(new Document("op", "drop").append("m", map));
    }

    /** Records that a map has a new name. */
    void rename(String map, String to) {
        append(new Document("op", "rename").append("m", map).append("to", to));
    }

    private static void appendKey(Document record, Object key) {
        if (key instanceof Missing) {
            record.append("km", Boolean.TRUE);
        } else {
            record.append("k", key);
        }
    }

    /** A record's bytes: the payload encoded once, after room left for its header (no copy of it). */
    private static ByteBuffer encode(Document record) {
        ByteBuf body = Unpooled.buffer(1024);
        body.writerIndex(HEADER);
        BsonEncoder.encodeDocument(record, body);
        int length = body.writerIndex() - HEADER;
        CRC32C crc = new CRC32C();
        crc.update(body.array(), body.arrayOffset() + HEADER, length);
        ByteBuffer out = ByteBuffer.wrap(body.array(), body.arrayOffset(), HEADER + length).slice().order(ByteOrder.BIG_ENDIAN);
        out.putInt(0, MAGIC).putInt(4, length).putInt(8, (int) crc.getValue());
        return out;
    }

    private void append(Document record) {
        ByteBuffer bytes = encode(record);
        synchronized (appendLock) {
            try {
                while (bytes.hasRemaining()) {
                    journal.write(bytes);
                }
            } catch (IOException e) {
                fatal("cannot write the journal " + journalFile(generation) + " (" + e.getMessage() + ")");
            }
            appended += bytes.limit();
        }
    }

    /**
     * Makes everything appended so far durable (fdatasync) before the caller answers. Requests
     * that wait together share one sync (group commit).
     */
    void sync() {
        long target;
        synchronized (appendLock) {
            target = appended;
        }
        if (synced >= target) {
            return;
        }
        synchronized (syncLock) {
            if (synced >= target) {
                return;
            }
            long upTo;
            FileChannel channel;
            synchronized (appendLock) {
                upTo = appended;
                channel = journal;
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                fatal("cannot sync the journal " + journalFile(generation) + " (" + e.getMessage() + ")");
            }
            synced = upTo;
        }
        if (target > compactAtBytes && target > 2 * snapshotBytes && folding.compareAndSet(false, true)) {
            Thread folder = new Thread(this::foldWhileWriting, "localdb-snapshot");
            folder.setDaemon(true);
            folder.start();
        }
    }

    /**
     * The runtime fold: the gate is held alone only to take the maps' roots and start journal N+1
     * (no request is running then, so journal N holds every change up to those roots and is
     * synced); snapshot N+1 is written from the roots while requests write into journal N+1.
     * One log line says how long it took and how long the writes waited.
     */
    private void foldWhileWriting() {
        long started = System.nanoTime();
        long next;
        long journalBytes;
        Map<String, RootReference<Object, Object>> roots;
        long waited;
        try {
            gate.writeLock().lock();
            long alone = System.nanoTime();
            try {
                synchronized (appendLock) {
                    journalBytes = appended;
                }
                roots = roots();
                next = generation + 1;
                FileChannel previous = journal;
                openJournal(journalFile(next), true);
                syncFolder();
                generation = next;
                previous.close();
            } finally {
                gate.writeLock().unlock();
            }
            waited = System.nanoTime() - alone;
            Runnable hook = afterCut;
            if (hook != null) {
                hook.run();
            }
            writeSnapshot(next, roots, true);
            removeOlderGenerations();
        } catch (IOException e) {
            fatal("cannot write a snapshot in " + dir + " (" + e.getMessage() + ")");
            return;
        } finally {
            folding.set(false);
        }
        say.line("localdb: folded the journal (" + journalBytes / 1024 + " KB) into snapshot " + next + " (" + snapshotBytes / 1024 + " KB) in "
            + (System.nanoTime() - started) / 1_000_000 + " ms; writes went on, held for " + waited / 1_000_000 + " ms");
    }

    /** Every data map's root now: what each holds at this moment, unchanged by later writes (the maps copy on write). */
    private Map<String, RootReference<Object, Object>> roots() {
        Map<String, RootReference<Object, Object>> roots = new LinkedHashMap<>();
        for (String name : memory.getMapNames()) {
            if (isDataMap(name)) {
                MVMap<Object, Object> map = memory.openMap(name);
                roots.put(name, map.flushAndGetRoot());
            }
        }
        return roots;
    }

    /**
     * At start-up (nothing else runs): writes the whole state as snapshot N+1 and starts journal N+1.
     */
    private void foldSnapshot() throws IOException {
        long next = generation + 1;
        writeSnapshot(next, roots(), false);
        FileChannel previous = journal;
        generation = next;
        openJournal(journalFile(next), true);
        syncFolder();
        if (previous != null) {
            previous.close();
        }
    }

    /** Records encoded per turn of the gate while requests run (a waiting request waits for at most this many). */
    private static final int ENCODED_PER_TURN = 256;

    /**
     * Writes the maps as they were at these roots as snapshot `next`: a temporary file, synced, then
     * renamed into place. `whileRequestsRun`: the maps' roots do not change, but the documents they
     * hold do — mongo-java-server updates a stored document in place (AbstractMongoCollection
     * .updateDocument, then puts the same object back) — so each document is encoded only while
     * the gate is held alone, a few hundred at a turn: never half-way through a request's update. A
     * document may then be newer than its root; journal N+1, replayed after this snapshot, holds
     * that change too, so the state after replay is the same.
     */
    private void writeSnapshot(long next, Map<String, RootReference<Object, Object>> roots, boolean whileRequestsRun) throws IOException {
        Path temporary = dir.resolve("snapshot-" + next + ".dat.tmp");
        long records = 0;
        int encodedThisTurn = 0;
        boolean holding = false;
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            List<ByteBuffer> batch = new ArrayList<>();
            long batchBytes = 0;
            for (Map.Entry<String, RootReference<Object, Object>> root : roots.entrySet()) {
                String name = root.getKey();
                for (Cursor<Object, Object> cursor = new Cursor<>(root.getValue(), null, null); cursor.hasNext(); ) {
                    Object key = cursor.next();
                    if (whileRequestsRun && !holding) {
                        gate.writeLock().lock();
                        holding = true;
                    }
                    Document record = new Document("op", "put").append("m", name);
                    appendKey(record, key);
                    record.append("v", cursor.getValue());
                    ByteBuffer bytes = encode(record);
                    if (holding && ++encodedThisTurn >= ENCODED_PER_TURN) {
                        gate.writeLock().unlock();
                        holding = false;
                        encodedThisTurn = 0;
                    }
                    batch.add(bytes);
                    batchBytes += bytes.limit();
                    records++;
                    if (batchBytes > 1 << 20) {
                        writeAll(out, batch);
                        batchBytes = 0;
                    }
                }
            }
            if (holding) {
                gate.writeLock().unlock();
                holding = false;
            }
            batch.add(encode(new Document("op", "end").append("records", records)));
            writeAll(out, batch);
            out.force(true);
        } finally {
            if (holding) {
                gate.writeLock().unlock();
            }
        }
        Files.move(temporary, snapshotFile(next), StandardCopyOption.ATOMIC_MOVE);
        syncFolder();
        snapshotBytes = Files.size(snapshotFile(next));
    }

    private static void writeAll(FileChannel out, List<ByteBuffer> batch) throws IOException {
        for (ByteBuffer bytes : batch) {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
        batch.clear();
    }

    private void openJournal(Path file, boolean fresh) throws IOException {
        FileChannel channel = fresh
            ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)
            : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.position(channel.size());
        if (channel.size() == 0) {
            ByteBuffer head = encode(new Document("op", "head").append("generation", generation));
            while (head.hasRemaining()) {
                channel.write(head);
            }
            channel.force(true);
        }
        synchronized (appendLock) {
            journal = channel;
            appended = channel.size();
            synced = appended;
        }
    }

    private void removeOlderGenerations() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                Matcher matcher = Pattern.compile("(?:snapshot|journal)-(\\d+)\\.(?:dat|log)").matcher(name);
                if (matcher.matches() && Long.parseLong(matcher.group(1)) < generation) {
                    Files.delete(file);
                }
            }
        }
        syncFolder();
    }

    private void syncFolder() throws IOException {
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
            folder.force(true);
        }
    }

    /** A write that cannot be made durable must not be acknowledged: the server stops (its supervisor restarts it). */
    private void fatal(String line) {
        System.err.println("localdb fatal: " + line);
        System.err.flush();
        Runtime.getRuntime().halt(70);
    }

    @Override
    public void close() throws IOException {
        synchronized (appendLock) {
            if (journal != null) {
                journal.force(false);
                journal.close();
            }
        }
        lockChannel.close();
    }
}
