package dev.latchkey.caller.scan;

import dev.latchkey.caller.secrets.SecretMatcher;
import dev.latchkey.daemon.terminal.TerminalText;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code latchkey scan}: looks for tokens where they must not be, in files and in git (the
 * index, the history, or what the next commit adds), and says where each one is, what it is and
 * what to do, never showing it. Git is asked through the real {@code git} program ({@link Git}).
 *
 * <p>Files that are not text (a NUL in their first 8 KiB) are passed over, and so are files over
 * {@value #LARGEST_FILE_MIB} MiB, which the report names once.
 */
public final class LeakScanner {
    static final int LARGEST_FILE_MIB = 10;
    private static final int LARGEST_FILE = LARGEST_FILE_MIB << 20;
    private static final int TEXT_PROBE = 8192;
    private static final int NAMED_AT_MOST = 5;

    private final Map<String, byte[]> held;
    private final List<Path> tokenPlaces;

    /**
     * @param held the tokens latchkey holds, by the name a finding gives them (the registry); the
     *        bytes stay the caller's
     * @param tokenPlaces where tokens belong on disk (cargo's home, latchkey's data directory):
     *        files there are not reported, though a copy of them in git is
     */
    public LeakScanner(Map<String, byte[]> held, Set<Path> tokenPlaces) {
        this.held = held;
        this.tokenPlaces = new ArrayList<>();
        for (Path place : tokenPlaces) {
            this.tokenPlaces.add(realPathIfAny(place.toAbsolutePath().normalize()));
        }
    }

    /**
     * Scans {@code paths} as {@code mode} says. The git repository is the one that holds {@code
     * workingDirectory}: with no paths, all of it (as a commit takes all of the index, wherever in
     * the tree it is made), or outside a repository the working directory; paths outside the
     * repository are scanned as plain files.
     *
     * @throws ScanUsageException when a path does not exist, or {@code mode} needs a repository
     *         (or the paths to be in it) and there is none
     * @throws IOException when git fails on the repository
     */
    public ScanReport scan(Path workingDirectory, List<Path> paths, ScanMode mode, ScanProgress progress)
            throws IOException, ScanUsageException {
        Path here = workingDirectory.toRealPath();
        List<Path> roots = new ArrayList<>();
        for (Path path : paths) {
            Path resolved = here.resolve(path).normalize();
            if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
                throw new ScanUsageException(TerminalText.line(path.toString()) + ": no such file or directory");
            }
            roots.add(resolved.toRealPath());
        }
        List<String> notes = new ArrayList<>();
        SecretMatcher matcher = heldMatcher(notes);
        try {
            return new Scan(here, matcher, progress, notes).run(roots, mode);
        } finally {
            if (matcher != null) {
                matcher.close();
            }
            progress.end();
        }
    }

    private SecretMatcher heldMatcher(List<String> notes) {
        Map<String, byte[]> usable = new LinkedHashMap<>();
        held.forEach((name, token) -> {
            String problem = SecretMatcher.problem(token);
            if (problem == null) {
                usable.put(name, token);
            } else {
                notes.add("the token latchkey holds for `" + TerminalText.line(name) + "` is not looked for: " + problem);
            }
        });
        return usable.isEmpty() ? null : SecretMatcher.of(usable);
    }

    private static Path realPathIfAny(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path;
        }
    }

    /** One scan's state: what it found and what it could not look at. */
    private final class Scan {
        private final Path here;
        private final TokenFinder finder;
        private final ScanProgress progress;
        private final List<String> notes;
        private final List<Ordered> findings = new ArrayList<>();
        private final List<String> tooLarge = new ArrayList<>();
        private final List<String> unreadable = new ArrayList<>();
        private final Set<Path> placesPassed = new LinkedHashSet<>();
        /** The repository's top, once known; null outside one. */
        private Path top;

        Scan(Path here, SecretMatcher held, ScanProgress progress, List<String> notes) {
            this.here = here;
            this.finder = new TokenFinder(held);
            this.progress = progress;
            this.notes = notes;
        }

        ScanReport run(List<Path> roots, ScanMode mode) throws IOException, ScanUsageException {
            Git git;
            try {
                git = Git.containing(here);
            } catch (Git.GitMissingException e) {
                if (mode != ScanMode.FILES) {
                    throw new ScanUsageException(flag(mode) + " looks into git, and " + e.getMessage());
                }
                notes.add(e.getMessage() + ": files were scanned as files, without their index or history");
                git = null;
            }
            if (git == null && mode != ScanMode.FILES) {
                throw new ScanUsageException(flag(mode) + " looks into a git repository, and "
                        + TerminalText.line(here.toString()) + " is not in one");
            }
            List<String> pathspecs = new ArrayList<>();
            List<Path> outside = new ArrayList<>();
            if (roots.isEmpty()) {
                roots = List.of(git != null ? git.topLevel().toRealPath() : here);
            }
            if (git != null) {
                top = git.topLevel().toRealPath();
                for (Path root : roots) {
                    if (root.startsWith(top)) {
                        String relative = top.relativize(root).toString();
                        pathspecs.add(relative.isEmpty() ? "." : relative);
                    } else {
                        outside.add(root);
                    }
                }
            } else {
                outside.addAll(roots);
            }
            if (mode == ScanMode.STAGED) {
                if (!outside.isEmpty()) {
                    throw new ScanUsageException("--staged scans what the next commit adds, and "
                            + TerminalText.line(outside.get(0).toString()) + " is not in the repository");
                }
                staged(git, pathspecs);
            } else {
                Map<String, String> blobsOnDisk = new HashMap<>();
                if (!pathspecs.isEmpty()) {
                    workingTree(git, pathspecs, blobsOnDisk);
                }
                for (Path root : outside) {
                    walk(root);
                }
                if (!pathspecs.isEmpty()) {
                    index(git, pathspecs, blobsOnDisk);
                    if (mode == ScanMode.HISTORY) {
                        history(git, pathspecs);
                    }
                }
            }
            return report();
        }

        private void workingTree(Git git, List<String> pathspecs, Map<String, String> blobsOnDisk) throws IOException {
            List<String> files = git.workingTreeFiles(pathspecs);
            progress.begin("files", files.size());
            for (String relative : files) {
                Path file = top.resolve(relative);
                byte[] content = readFile(file);
                if (content != null) {
                    blobsOnDisk.put(relative, git.blobId(content));
                    scan(Finding.Place.FILE, shown(file), null, -1, relative, content);
                }
                progress.step();
            }
        }

        private void walk(Path root) throws IOException {
            progress.begin("files", 0);
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
                    boolean skip = directory.getFileName() != null && directory.getFileName().toString().equals(".git");
                    return skip || isTokenPlace(directory) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    byte[] content = readFile(file);
                    if (content != null) {
                        scan(Finding.Place.FILE, shown(file), null, -1, file.toString(), content);
                    }
                    progress.step();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    unreadable.add(shown(file));
                    return FileVisitResult.CONTINUE;
                }
            });
        }

        /** The index's files that differ from the disk: what is staged, which the working tree does not show. */
        private void index(Git git, List<String> pathspecs, Map<String, String> blobsOnDisk) throws IOException {
            Map<String, Git.Entry> differing = new LinkedHashMap<>();
            for (Git.Entry entry : git.index(pathspecs)) {
                if (!entry.blob().equals(blobsOnDisk.get(entry.path()))) {
                    differing.putIfAbsent(entry.blob(), entry);
                }
            }
            readBlobs(git, "the index", differing, Finding.Place.INDEX);
        }

        private void history(Git git, List<String> pathspecs) throws IOException {
            Map<String, Git.Entry> blobs = new LinkedHashMap<>();
            for (Git.Entry entry : git.historyBlobs(pathspecs)) {
                blobs.put(entry.blob(), entry);
            }
            readBlobs(git, "history", blobs, Finding.Place.COMMIT);
        }

        private void readBlobs(Git git, String phase, Map<String, Git.Entry> blobs, Finding.Place place) throws IOException {
            progress.begin(phase, blobs.size());
            git.readBlobs(new ArrayList<>(blobs.keySet()), LARGEST_FILE, (id, content, size) -> {
                Git.Entry entry = blobs.get(id);
                String where = place == Finding.Place.COMMIT ? entry.path() + " in commit " + entry.commit() : entry.path();
                if (content == null) {
                    tooLarge.add(where);
                } else {
                    scan(place, entry.path(), entry.commit(), entry.sequence(), entry.path(), content);
                }
                progress.step();
            });
        }

        private void staged(Git git, List<String> pathspecs) throws IOException {
            Map<String, Git.StagedFile> files = new LinkedHashMap<>();
            for (Git.StagedFile file : git.staged(pathspecs)) {
                files.putIfAbsent(file.blob(), file);
            }
            progress.begin("staged files", files.size());
            git.readBlobs(new ArrayList<>(files.keySet()), LARGEST_FILE, (id, content, size) -> {
                Git.StagedFile file = files.get(id);
                if (content == null) {
                    tooLarge.add(file.path());
                } else if (isText(content)) {
                    for (TokenFinder.Hit hit : finder.find(file.path(), content)) {
                        if (file.addedLines().get(hit.line())) {
                            findings.add(new Ordered(new Finding(Finding.Place.INDEX, file.path(), null, hit.line(),
                                    hit.what(), hit.fix()), -1));
                        }
                    }
                }
                progress.step();
            });
        }

        private void scan(Finding.Place place, String path, String commit, int sequence, String slashPath, byte[] content) {
            if (!isText(content)) {
                return;
            }
            for (TokenFinder.Hit hit : finder.find(slashPath, content)) {
                findings.add(new Ordered(new Finding(place, path, commit, hit.line(), hit.what(), hit.fix()), sequence));
            }
        }

        /** A regular file's bytes; null for anything else, for a file in a token place, or one too large or unreadable (noted). */
        private byte[] readFile(Path file) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || isTokenPlace(file)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] content = in.readNBytes(LARGEST_FILE + 1);
                if (content.length > LARGEST_FILE) {
                    tooLarge.add(shown(file));
                    return null;
                }
                return content;
            } catch (IOException e) {
                unreadable.add(shown(file));
                return null;
            }
        }

        private boolean isTokenPlace(Path path) {
            for (Path place : tokenPlaces) {
                if (path.startsWith(place)) {
                    placesPassed.add(place);
                    return true;
                }
            }
            return false;
        }

        /** A file as the user in the working directory would name it: relative within the repository (or below here), else absolute. */
        private String shown(Path file) {
            boolean related = (file.startsWith(here) && !file.equals(here))
                    || (top != null && file.startsWith(top) && here.startsWith(top));
            return related ? here.relativize(file).toString() : file.toString();
        }

        private ScanReport report() {
            findings.sort(Comparator.comparing((Ordered o) -> o.finding.place())
                    .thenComparingInt(o -> o.sequence)
                    .thenComparing(o -> o.finding.path())
                    .thenComparingInt(o -> o.finding.line())
                    .thenComparing(o -> o.finding.what()));
            List<Finding> sorted = findings.stream().map(Ordered::finding).toList();
            if (!tooLarge.isEmpty()) {
                notes.add(count(tooLarge.size(), "file") + " over " + LARGEST_FILE_MIB + " MiB " + (tooLarge.size() == 1 ? "was" : "were")
                        + " not scanned: " + named(tooLarge));
            }
            if (!unreadable.isEmpty()) {
                notes.add(count(unreadable.size(), "file") + " could not be read: " + named(unreadable));
            }
            for (Path place : placesPassed) {
                notes.add("not scanned: " + TerminalText.line(place.toString()) + ", where tokens are kept on purpose");
            }
            return new ScanReport(sorted, notes);
        }
    }

    private record Ordered(Finding finding, int sequence) {
    }

    private static boolean isText(byte[] content) {
        for (int i = 0; i < Math.min(content.length, TEXT_PROBE); i++) {
            if (content[i] == 0) {
                return false;
            }
        }
        return true;
    }

    private static String named(List<String> paths) {
        List<String> shown = paths.stream().limit(NAMED_AT_MOST).map(TerminalText::line).toList();
        return String.join(", ", shown) + (paths.size() > NAMED_AT_MOST ? " and " + (paths.size() - NAMED_AT_MOST) + " more" : "");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String flag(ScanMode mode) {
        return mode == ScanMode.HISTORY ? "--history" : "--staged";
    }
}
