package dev.latchkey.caller.scan;

import dev.latchkey.daemon.terminal.TerminalText;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The repository a scan looks into, through the real {@code git} program: its plumbing commands,
 * each with a predictable environment (a user's GIT_PAGER, locale or external diff play no part;
 * what says where the repository and its index are is kept, since a pre-commit hook is run with
 * a temporary index for {@code git commit -a}) and options that keep a checkout's own config from
 * running anything ({@code core.fsmonitor}, diff drivers).
 */
final class Git {
    /** Variables that say which repository, index and object store git works on: passed on as they are. */
    private static final List<String> LOCATION_VARIABLES = List.of("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
            "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE");
    /**
     * What else git needs: where it is, and the user's config (safe.directory and core.hooksPath
     * live there), wherever the user's own git finds it.
     */
    private static final List<String> KEPT_VARIABLES = List.of("PATH", "HOME", "XDG_CONFIG_HOME", "SYSTEMROOT",
            "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM");
    private static final Set<String> BLOB_MODES = Set.of("100644", "100755", "120000");

    private final Path topLevel;
    private final String objectFormat;

    private Git(Path topLevel, String objectFormat) {
        this.topLevel = topLevel;
        this.objectFormat = objectFormat;
    }

    /** The repository whose working tree holds {@code directory}, or null when none does. */
    static Git containing(Path directory) throws IOException {
        Result result = run(directory, List.of("rev-parse", "--show-toplevel", "--show-object-format"), null);
        if (result.status != 0) {
            return null; // not in a working tree (git says why on stderr, which is not ours to show)
        }
        String[] lines = result.text().split("\n");
        if (lines.length < 2 || lines[0].isEmpty()) {
            return null;
        }
        return new Git(Path.of(lines[0]), lines[1].equals("sha256") ? "SHA-256" : "SHA-1");
    }

    Path topLevel() {
        return topLevel;
    }

    /** Where git looks for the hook {@code name}: in the repository's hooks, or where {@code core.hooksPath} says. */
    Path hook(String name) throws IOException {
        String path = new String(git(List.of("rev-parse", "--git-path", "hooks/" + name)), StandardCharsets.UTF_8).strip();
        return topLevel.resolve(path).normalize();
    }

    /** Tracked and untracked files (what {@code git add -A} would take), repository-relative. */
    List<String> workingTreeFiles(List<String> pathspecs) throws IOException {
        Set<String> paths = new LinkedHashSet<>(nulSeparated(git(withPathspecs(
                List.of("ls-files", "-z", "--cached", "--others", "--exclude-standard"), pathspecs))));
        return new ArrayList<>(paths);
    }

    /** The index's files (stage 0, or each stage of a conflict). */
    List<Entry> index(List<String> pathspecs) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String record : nulSeparated(git(withPathspecs(List.of("ls-files", "-z", "--stage"), pathspecs)))) {
            // "MODE OBJECT STAGE\tPATH"
            int tab = record.indexOf('\t');
            String[] fields = record.substring(0, tab).split(" ");
            if (BLOB_MODES.contains(fields[0])) {
                entries.add(new Entry(record.substring(tab + 1), fields[1], null, 0));
            }
        }
        return entries;
    }

    /**
     * Each blob of the history once, from every commit reachable from any ref: named by the first
     * commit (parents before children) that has it, at the path it has there.
     */
    List<Entry> historyBlobs(List<String> pathspecs) throws IOException {
        byte[] commits = git(withPathspecs(List.of("rev-list", "--all", "--topo-order", "--reverse"), pathspecs));
        if (commits.length == 0) {
            return List.of();
        }
        byte[] diffs = git(withPathspecs(List.of("diff-tree", "--stdin", "-r", "-m", "--root", "--no-renames", "-z"),
                pathspecs), commits);
        Map<String, Entry> firstSeen = new LinkedHashMap<>();
        String commit = null;
        int sequence = -1;
        List<String> fields = nulSeparated(diffs);
        for (int i = 0; i < fields.size(); i++) {
            String field = fields.get(i);
            if (!field.startsWith(":")) {
                String id = field.split(" ", 2)[0]; // a merge's diffs come once per parent, "ID (from PARENT)"
                if (!id.equals(commit)) {
                    commit = id;
                    sequence++;
                }
                continue;
            }
            // ":OLDMODE NEWMODE OLDID NEWID STATUS", then the path
            String[] meta = field.substring(1).split(" ");
            String path = fields.get(++i);
            if (BLOB_MODES.contains(meta[1]) && !meta[4].equals("D")) {
                firstSeen.putIfAbsent(meta[3], new Entry(path, meta[3], commit, sequence));
            }
        }
        return new ArrayList<>(firstSeen.values());
    }

    /** What the next commit would add: each changed file of the index with the line numbers it adds. */
    List<StagedFile> staged(List<String> pathspecs) throws IOException {
        String base = run(topLevel, List.of("rev-parse", "--verify", "-q", "HEAD^{commit}"), null).status == 0
                ? "HEAD" : emptyTree();
        Map<String, String> blobs = new LinkedHashMap<>();
        List<String> raw = nulSeparated(git(withPathspecs(
                List.of("diff-index", "--cached", "-z", "--raw", "--no-renames", base), pathspecs)));
        for (int i = 0; i + 1 < raw.size(); i += 2) {
            String[] meta = raw.get(i).substring(1).split(" ");
            if (BLOB_MODES.contains(meta[1]) && !meta[4].equals("D")) {
                blobs.put(raw.get(i + 1), meta[3]);
            }
        }
        Map<String, BitSet> added = AddedLines.parse(git(withPathspecs(List.of("diff-index", "--cached", "-p", "-U0",
                "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/",
                base), pathspecs)));
        List<StagedFile> files = new ArrayList<>();
        blobs.forEach((path, blob) -> {
            BitSet lines = added.get(path);
            if (lines != null && !lines.isEmpty()) {
                files.add(new StagedFile(path, blob, lines));
            }
        });
        return files;
    }

    /**
     * Reads blobs with one {@code git cat-file --batch}, handing each to {@code reader} in the order
     * asked: its bytes, or null when it is larger than {@code limit} (then only its size).
     */
    void readBlobs(List<String> ids, long limit, BlobReader reader) throws IOException {
        if (ids.isEmpty()) {
            return;
        }
        Process process = start(topLevel, List.of("cat-file", "--batch"));
        StringBuilder questions = new StringBuilder(ids.size() * 41);
        ids.forEach(id -> questions.append(id).append('\n'));
        Thread asking = feed(process, questions.toString().getBytes(StandardCharsets.US_ASCII));
        Drain errors = Drain.start(process.getErrorStream());
        try (InputStream out = process.getInputStream()) {
            for (String id : ids) {
                String header = readLine(out);
                String[] parts = header == null ? new String[0] : header.split(" ");
                if (parts.length != 3 || !parts[1].equals("blob")) {
                    throw new IOException("git cat-file gave no blob for " + id + ": " + TerminalText.line(String.valueOf(header)));
                }
                long size = Long.parseLong(parts[2]);
                byte[] content = null;
                if (size <= limit) {
                    content = out.readNBytes((int) size);
                } else {
                    out.skipNBytes(size);
                }
                if (out.read() != '\n') {
                    throw new IOException("git cat-file's answer for " + id + " ended early");
                }
                reader.read(id, content, size);
            }
        } finally {
            join(asking);
            finish(process, errors, "cat-file --batch");
        }
    }

    /** The object id git gives {@code content} as a blob: equal ids, equal files, and one scan of them is enough. */
    String blobId(byte[] content) {
        try {
            MessageDigest digest = MessageDigest.getInstance(objectFormat);
            digest.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            byte[] hash = digest.digest(content);
            StringBuilder hex = new StringBuilder(hash.length * 2);
            for (byte b : hash) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + objectFormat, e);
        }
    }

    private String emptyTree() throws IOException {
        return new String(git(List.of("hash-object", "-t", "tree", "--stdin"), new byte[0]), StandardCharsets.US_ASCII).strip();
    }

    private static List<String> withPathspecs(List<String> command, List<String> pathspecs) {
        List<String> full = new ArrayList<>(command);
        full.add("--");
        full.addAll(pathspecs);
        return full;
    }

    private byte[] git(List<String> arguments) throws IOException {
        return git(arguments, null);
    }

    private byte[] git(List<String> arguments, byte[] input) throws IOException {
        Result result = run(topLevel, arguments, input);
        if (result.status != 0) {
            throw new IOException("git " + arguments.get(0) + " failed (status " + result.status + "): "
                    + TerminalText.line(new String(result.errors, StandardCharsets.UTF_8).strip()));
        }
        return result.output;
    }

    private static Result run(Path directory, List<String> arguments, byte[] input) throws IOException {
        Process process = start(directory, arguments);
        Thread writing = feed(process, input == null ? new byte[0] : input);
        Drain errors = Drain.start(process.getErrorStream());
        byte[] output;
        try (InputStream out = process.getInputStream()) {
            output = out.readAllBytes();
        }
        join(writing);
        int status = waitFor(process);
        join(errors);
        return new Result(status, output, errors.bytes);
    }

    private static Process start(Path directory, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "core.quotePath=false", "-c", "core.fsmonitor=false",
                "-C", directory.toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        Map<String, String> inherited = new HashMap<>(environment);
        environment.clear();
        for (String name : LOCATION_VARIABLES) {
            copy(inherited, environment, name);
        }
        for (String name : KEPT_VARIABLES) {
            copy(inherited, environment, name);
        }
        environment.put("LC_ALL", "C");
        environment.put("GIT_TERMINAL_PROMPT", "0");
        environment.put("GIT_OPTIONAL_LOCKS", "0"); // a scan never writes the index, not even to refresh it
        environment.put("GIT_PAGER", "cat");
        environment.put("GIT_LITERAL_PATHSPECS", "1"); // a path is a path, even one holding '*' or ':(
        try {
            return builder.start();
        } catch (IOException e) {
            throw new GitMissingException();
        }
    }

    private static void copy(Map<String, String> from, Map<String, String> to, String name) {
        String value = from.get(name);
        if (value != null) {
            to.put(name, value);
        }
    }

    private static void finish(Process process, Drain errors, String what) throws IOException {
        int status = waitFor(process);
        join(errors);
        if (status != 0) {
            throw new IOException("git " + what + " failed (status " + status + "): "
                    + TerminalText.line(new String(errors.bytes, StandardCharsets.UTF_8).strip()));
        }
    }

    private static int waitFor(Process process) throws IOException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while git ran");
        }
    }

    /**
     * Writes {@code input} to git's stdin and closes it, on a thread of its own: git may answer
     * before it has read everything, and both pipes must keep moving.
     */
    private static Thread feed(Process process, byte[] input) {
        Thread feeding = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // git stopped reading; its status says why
            }
        }, "latchkey-git-input");
        feeding.setDaemon(true);
        feeding.start();
        return feeding;
    }

    private static void join(Thread thread) throws IOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while git ran");
        }
    }

    /** Reads one of git's streams to its end on a thread of its own. */
    private static final class Drain extends Thread {
        private final InputStream stream;
        private volatile byte[] bytes = new byte[0];

        private Drain(InputStream stream) {
            super("latchkey-git-stderr");
            this.stream = stream;
            setDaemon(true);
        }

        static Drain start(InputStream stream) {
            Drain drain = new Drain(stream);
            drain.start();
            return drain;
        }

        @Override
        public void run() {
            try (stream) {
                bytes = stream.readAllBytes();
            } catch (IOException e) {
                // git's stderr is only for saying why it failed
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static List<String> nulSeparated(byte[] output) {
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < output.length; i++) {
            if (output[i] == 0) {
                fields.add(new String(output, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return fields;
    }

    /** A file in the index or a commit: the path, its blob, and for a commit its id and place in the history. */
    record Entry(String path, String blob, String commit, int sequence) {
    }

    /** A file the next commit changes: its blob in the index and the numbers of the lines it adds. */
    record StagedFile(String path, String blob, BitSet addedLines) {
    }

    /** Takes the blobs {@link #readBlobs} reads. */
    interface BlobReader {
        void read(String id, byte[] content, long size) throws IOException;
    }

    private record Result(int status, byte[] output, byte[] errors) {
        String text() {
            return new String(output, StandardCharsets.UTF_8);
        }
    }

    /** git is not installed, or not on PATH. */
    static final class GitMissingException extends IOException {
        private static final long serialVersionUID = 1L;

        GitMissingException() {
            super("git is not installed (or not on PATH)");
        }
    }
}
