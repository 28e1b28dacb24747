package dev.latchkey.daemon.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How a config file looked when it was read, so that a long-lived process can tell with a
 * {@code stat} that it changed: its identity, size, modification and change times (a
 * {@code chmod} that lets others write it is a change too), and the same of the link itself, since
 * pointing a link at another file is a change. Absent or unreadable looks like nothing.
 */
public record ConfigStamp(Path file, Map<String, Object> target, Map<String, Object> link) {
    /** Where the {@code unix} view is missing (Windows), what the basic one has. */
    private static final String UNIX = "unix:dev,ino,size,lastModifiedTime,ctime,mode,uid";
    private static final String BASIC = "size,lastModifiedTime,fileKey";

    /** How {@code file} looks now. */
    public static ConfigStamp of(Path file) {
        return new ConfigStamp(file, attributes(file), Files.isSymbolicLink(file) ? attributes(file, LinkOption.NOFOLLOW_LINKS) : null);
    }

    /** Whether the file still looks as it did. */
    public boolean isCurrent() {
        ConfigStamp now = of(file);
        return Objects.equals(target, now.target) && Objects.equals(link, now.link);
    }

    private static Map<String, Object> attributes(Path file, LinkOption... options) {
        try {
            return Files.readAttributes(file, UNIX, options);
        } catch (UnsupportedOperationException e) {
            try {
                return Files.readAttributes(file, BASIC, options);
            } catch (IOException | SecurityException again) {
                return null;
            }
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return null; // absent or unreadable: loading it says which
        }
    }
}
