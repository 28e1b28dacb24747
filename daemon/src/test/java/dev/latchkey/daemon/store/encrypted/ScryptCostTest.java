package dev.latchkey.daemon.store.encrypted;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounds a file's header must keep: a minimum work factor, and at most 256 MiB and 16 times the default's work. */
class ScryptCostTest {
    @Test
    void theDefaultIsSixtyFourMebibytesAndAcceptedAsIsTheMinimum() {
        assertEquals(64L << 20, ScryptCost.DEFAULT.memory());
        assertNull(ScryptCost.DEFAULT.problem());
        assertNull(ScryptCost.MINIMUM.problem());
        assertNull(new ScryptCost(18, 8, 1).problem(), "256 MiB is the most a header may ask for");
        assertNull(new ScryptCost(16, 8, 16).problem(), "16 times the default's work is the most");
    }

    @Test
    void weakerThanTheMinimumIsRefused() {
        assertTrue(new ScryptCost(14, 8, 1).problem().contains("weaker"));
        assertTrue(new ScryptCost(15, 4, 1).problem().contains("weaker"));
        assertTrue(new ScryptCost(1, 1, 1).problem().contains("weaker"));
    }

    @Test
    void moreMemoryOrWorkThanTheBoundsIsRefused() {
        String huge = new ScryptCost(24, 32, 16).problem();
        assertNotNull(huge);
        assertTrue(huge.contains("beyond what latchkey will spend"), huge);
        assertTrue(new ScryptCost(19, 8, 1).problem().contains("512 MiB"));
        assertNotNull(new ScryptCost(16, 8, 17).problem());
        assertNotNull(new ScryptCost(18, 8, 16).problem());
        assertNotNull(new ScryptCost(25, 8, 1).problem());
        assertNotNull(new ScryptCost(16, 33, 1).problem());
        assertNotNull(new ScryptCost(0, 0, 0).problem());
    }
}
