package dev.latchkey.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This build's version, from the properties file Maven fills in. */
public final class Version {
    private Version() {
    }

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
