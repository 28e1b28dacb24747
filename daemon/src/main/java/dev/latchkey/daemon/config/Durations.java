package dev.latchkey.daemon.config;

import java.time.Duration;

/** Durations as people write them in config and on the command line: {@code 90s}, {@code 30m}, {@code 12h}, {@code 90d}, {@code 0}. */
public final class Durations {
    private Durations() {
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} with a message that shows the accepted forms. */
    public static Duration parse(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.length() >= 2) {
            char unit = t.charAt(t.length() - 1);
            String number = t.substring(0, t.length() - 1);
            if (number.chars().allMatch(Character::isDigit) && number.length() <= 9) {
                long n = Long.parseLong(number);
                switch (unit) {
                    case 's':
                        return Duration.ofSeconds(n);
                    case 'm':
                        return Duration.ofMinutes(n);
                    case 'h':
                        return Duration.ofHours(n);
                    case 'd':
                        return Duration.ofDays(n);
                    default:
                        break;
                }
            }
        }
        throw new IllegalArgumentException("`" + text + "` is not a duration; write a whole number with s, m, h or d (\"90s\", \"30m\", \"12h\", \"90d\") or \"0\"");
    }

    /** {@code duration} in its largest whole unit, as {@link #parse} reads it: {@code 90d}, {@code 36h}, {@code 5m}, {@code 42s}. */
    public static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds >= 2 * 86_400) {
            return seconds / 86_400 + "d";
        }
        if (seconds >= 2 * 3_600) {
            return seconds / 3_600 + "h";
        }
        if (seconds >= 2 * 60) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
