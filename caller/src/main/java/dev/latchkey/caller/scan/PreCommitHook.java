package dev.latchkey.caller.scan;

import dev.latchkey.daemon.terminal.TerminalText;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The git pre-commit hook that runs {@code latchkey scan --staged} and stops a commit that would
 * add a token, and its installer, which puts it where git looks ({@code core.hooksPath} honoured)
 * and never over another hook.
 */
public final class PreCommitHook {
    /** The line that runs the check from a hook of one's own. */
    public static final String CHAIN_LINE = "latchkey scan --staged || exit 1";

    private static final String SCRIPT = """
            #!/bin/sh
            # latchkey's pre-commit hook: stops a commit that would add a package-registry token.
            # Installed by `latchkey scan --install-hook`. To commit without the check, once:
            # git commit --no-verify
            latchkey scan --staged
            status=$?
            if [ "$status" -eq 0 ]; then
                exit 0
            fi
            if [ "$status" -eq 1 ]; then
                echo "latchkey: commit stopped: it would add the token(s) above. Take them out of the staged files, rotate them, and commit again." >&2
                exit 1
            fi
            if [ "$status" -eq 127 ]; then
                echo "latchkey: commit stopped: latchkey is not on PATH here, so the commit could not be checked for tokens." >&2
            else
                echo "latchkey: commit stopped: latchkey scan --staged failed (status $status), so the commit could not be checked for tokens." >&2
            fi
            echo "latchkey: to commit without the check, once: git commit --no-verify" >&2
            exit 1
            """;

    private PreCommitHook() {
    }

    /** The hook: a POSIX sh script. A scan that fails, or a latchkey that is not found, stops the commit too: unchecked is not clean. */
    public static String script() {
        return SCRIPT;
    }

    /** What {@link #install} did. */
    public record Installation(Path hook, boolean wasThere) {
    }

    /**
     * Installs the hook in the repository that holds {@code directory}.
     *
     * @throws ScanUsageException when there is no repository, or another pre-commit hook is there
     *         already (left as it is; the message says how to run both)
     */
    public static Installation install(Path directory) throws IOException, ScanUsageException {
        Git git = Git.containing(directory.toRealPath());
        if (git == null) {
            throw new ScanUsageException("a pre-commit hook belongs to a git repository, and "
                    + TerminalText.line(directory.toString()) + " is not in one");
        }
        Path hook = git.hook("pre-commit");
        if (Files.exists(hook, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(hook, LinkOption.NOFOLLOW_LINKS)
                    && Files.readString(hook, StandardCharsets.UTF_8).equals(SCRIPT)) {
                return new Installation(hook, true);
            }
            throw new ScanUsageException(TerminalText.line(hook.toString()) + " is another pre-commit hook, which"
                    + " latchkey leaves as it is. To run both, add this line to it, after its first line (#!...):\n    "
                    + CHAIN_LINE);
        }
        Files.createDirectories(hook.getParent());
        // CREATE_NEW: a hook that appeared meanwhile (or a symlink, even a dangling one) is not written over.
        try (OutputStream out = Files.newOutputStream(hook, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(SCRIPT.getBytes(StandardCharsets.UTF_8));
        } catch (FileAlreadyExistsException e) {
            throw new ScanUsageException(TerminalText.line(hook.toString()) + " appeared while latchkey was installing its hook;"
                    + " latchkey leaves it as it is");
        }
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new Installation(hook, false);
    }
}
