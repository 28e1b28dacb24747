package dev.latchkey.daemon.door.cli;

import dev.latchkey.daemon.terminal.TerminalText;
import dev.latchkey.protocol.Response;

import java.util.ArrayList;
import java.util.List;

/** Plain aligned columns for people reading a terminal. */
public final class Table {
    private Table() {
    }

    /** The stores' states, as {@code doctor} and {@code daemon status} show them. */
    public static String storeStates(List<Response.StoreStatus> stores) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"STORE", "STATE", "WRITABLE", "DETAIL"});
        for (Response.StoreStatus s : stores) {
            rows.add(new String[] {s.name(), s.usable() ? "usable" : "unusable", s.writable() ? "yes" : "no",
                s.detail() == null ? "" : s.detail()});
        }
        return format(rows);
    }

    /** {@code rows} in aligned columns, each cell on one line with whatever could act on the terminal escaped. */
    static String format(List<String[]> rows) {
        int columns = rows.get(0).length;
        List<String[]> safe = new ArrayList<>(rows.size());
        for (String[] row : rows) {
            String[] cells = new String[columns];
            for (int c = 0; c < columns; c++) {
                cells[c] = TerminalText.line(row[c]);
            }
            safe.add(cells);
        }
        rows = safe;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                out.append(row[c]);
                if (c < columns - 1) {
                    out.append(" ".repeat(widths[c] - row[c].length() + 2));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }
}
