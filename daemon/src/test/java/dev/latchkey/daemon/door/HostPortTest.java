package dev.latchkey.daemon.door;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HostPortTest {
    @Test
    void hostsArePortsAndNamesLowerCased() {
        assertEquals(new HostPort("registry.example.com", HostPort.NO_PORT), HostPort.parse("Registry.Example.com"));
        assertEquals(new HostPort("127.0.0.1", 5000), HostPort.parse("127.0.0.1:5000"));
        assertEquals(new HostPort("[::1]", 443), HostPort.parse("[::1]:443"));
        assertEquals("[fe80::1]:8080", HostPort.parse("[FE80::1]:8080").toString());
        assertEquals("my_registry.internal", HostPort.parse("my_registry.internal").toString());
    }

    @Test
    void whatIsNoHostAndPortSaysWhy() {
        assertEquals("is empty", HostPort.problem(""));
        assertEquals("has no host name", HostPort.problem(":5000"));
        assertEquals("has a port that is not a number from 1 to 65535", HostPort.problem("h:99999"));
        assertEquals("has a port that is not a number from 1 to 65535", HostPort.problem("h:"));
        assertEquals("has more than one ':' (an IPv6 address goes in brackets)", HostPort.problem("fe80::1"));
        assertEquals("has an empty part in its host name (two dots, or a dot at an end)", HostPort.problem("example.com."));
        assertEquals("has a character a host name cannot hold", HostPort.problem("exa mple.com"));
        assertEquals("has a character a host name cannot hold", HostPort.problem("user@example.com"));
        assertEquals("has something in brackets that is not an IPv6 address", HostPort.problem("[example.com]"));
        assertEquals("is longer than a host name and port can be", HostPort.problem("a".repeat(300)));
        assertNull(HostPort.problem("a.b"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("a b"));
    }
}
