package dev.latchkey.daemon.terminal;

import dev.latchkey.protocol.Secret;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * Asks the person at the controlling terminal for a token, with echo off. It talks to
 * {@code /dev/tty} directly because stdin and stdout may be protocol pipes (cargo's, in
 * provider mode) or redirected.
 */
public final class TerminalPrompt {
    private static final File TTY = new File("/dev/tty");
    private static final int MAX_TOKEN = 64 * 1024;

    private TerminalPrompt() {
    }

    /** Reads one line typed at the terminal; null when there is no terminal to ask. */
    public static Secret readSecret(String prompt) throws IOException {
        RandomAccessFile tty;
        try {
            tty = new RandomAccessFile(TTY, "rw");
        } catch (IOException e) {
            return null;
        }
        byte[] line = new byte[MAX_TOKEN];
        int length = 0;
        try (tty) {
            // Echo goes off before the prompt shows: what is typed the moment it appears must not be echoed.
            setEcho(false);
            try {
                tty.write(TerminalText.lines(prompt).getBytes(StandardCharsets.UTF_8));
                int b;
                while ((b = tty.read()) >= 0 && b != '\n' && length < MAX_TOKEN) {
                    line[length++] = (byte) b;
                }
            } finally {
                setEcho(true);
                tty.write('\n');
            }
            int start = 0;
            while (start < length && Character.isWhitespace(line[start])) {
                start++;
            }
            while (length > start && Character.isWhitespace(line[length - 1])) {
                length--;
            }
            return Secret.fromUtf8(line, start, length - start);
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    /** Whether there is a controlling terminal to ask on (what {@link #readSecret} needs). */
    @SuppressWarnings("try") // opening it is the question; nothing is read
    public static boolean available() {
        try (RandomAccessFile tty = new RandomAccessFile(TTY, "rw")) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Which of this process's standard streams (0, 1, 2) are terminals. */
    public static Set<Integer> terminals() {
        Set<Integer> terminals = new TreeSet<>();
        for (int fd = 0; fd <= 2; fd++) {
            if (isTerminal(fd)) {
                terminals.add(fd);
            }
        }
        return terminals;
    }

    /** Whether file descriptor {@code fd} is a terminal: read from /proc on Linux, else what the JDK can tell. */
    private static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return fd < 2 && System.console() != null; // the console is stdin and stdout both
        }
    }

    private static void setEcho(boolean on) throws IOException {
        try {
            Process stty = new ProcessBuilder("stty", on ? "echo" : "-echo")
                    .redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (stty.waitFor() != 0 && !on) {
                throw new IOException("`stty -echo` failed, so the token would show as it is typed; pipe it on stdin instead");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting the terminal's echo", e);
        }
    }
}
