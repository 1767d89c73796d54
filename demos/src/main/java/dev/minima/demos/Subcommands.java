package dev.minima.demos;

import java.util.List;

/** The list of the program's subcommands; each demo adds itself here. */
final class Subcommands {

    private Subcommands() {}

    static List<Object> all() {
        return List.of(new EosCommand());
    }
}
