package dev.minima.demos;

import java.util.List;

/** The list of the program's subcommands; each demo adds itself here. */
final class Subcommands {

    private Subcommands() {}

    static List<Object> all() {
        return List.of(
                new FetchMnist(),
                new MnistInfo(),
                new NormsCommand(),
                new BenchCommand(),
                new DeepLinearCommand(),
                new UnivariateSweepCommand(),
                new MultivariateSweepCommand(),
                new MnistDenoise(),
                new MnistClassify(),
                new SamXorCommand(),
                new EosCommand(),
                new LandscapeCommand());
    }
}
