package dev.minima.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The W.json / X.csv formats of the norms command. */
class NetworkFilesTest {

    @Test
    void readsWeightsAndData(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("W.json");
        Files.writeString(w, "{\"W1\": [[1, -0.5], [0.25, 2]], \"b1\": [0.1, -0.2], \"w2\": [3, -1], \"b2\": 0.5}");
        ShallowReluNetwork net = NetworkFiles.readWeights(w);
        assertEquals(2, net.width());
        assertEquals(2, net.inputDimension());
        assertArrayEquals(new double[] {1, -0.5, 0.25, 2, 0.1, -0.2, 3, -1, 0.5}, net.parameters(), 0.0);
        ShallowReluNetwork noBias = NetworkFiles.parseWeights("{\"W1\": [[1]], \"b1\": null, \"w2\": [2], \"b2\": null}", "x");
        assertNull(noBias.hiddenBiases());
        assertNull(noBias.outputBias());
        ShallowReluNetwork missing = NetworkFiles.parseWeights("{\"W1\": [[1]], \"w2\": [2]}", "x");
        assertNull(missing.outputBias());
        Random rng = new Random(1);
        ShallowReluNetwork r = Fixtures.randomNetwork(rng, 4, 3, true, false);
        assertEquals(r, NetworkFiles.parseWeights(NetworkFiles.toJson(r), "round trip"));

        Path x = dir.resolve("X.csv");
        Files.writeString(x, "1,2\n3.5, -4e-1\n\n5,6\n");
        assertArrayEquals(new double[][] {{1, 2}, {3.5, -0.4}, {5, 6}}, NetworkFiles.readData(x));
    }

    @Test
    void rejectsMalformedWeights() {
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseWeights("{\"W1\": [[1]", "W.json"), "not valid JSON");
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseWeights("[1, 2]", "W.json"), "JSON object");
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseWeights("{\"w2\": [1]}", "W.json"), "missing \"W1\"");
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseWeights("{\"W1\": [[1]]}", "W.json"), "missing \"w2\"");
        ShallowReluNetworkTest.assertMessage(
                () -> NetworkFiles.parseWeights("{\"W1\": [[1, 2], [3]], \"w2\": [1, 1]}", "W.json"), "row 1 has 1");
        ShallowReluNetworkTest.assertMessage(
                () -> NetworkFiles.parseWeights("{\"W1\": [[1], [2]], \"b1\": [1], \"w2\": [1, 1]}", "W.json"),
                "b1 has length 1");
        ShallowReluNetworkTest.assertMessage(
                () -> NetworkFiles.parseWeights("{\"W1\": [[NaN]], \"w2\": [1]}", "W.json"), "W1[0][0] is NaN");
        ShallowReluNetworkTest.assertMessage(
                () -> NetworkFiles.parseWeights("{\"W1\": [[\"a\"]], \"w2\": [1]}", "W.json"), "expected a number");
        ShallowReluNetworkTest.assertMessage(
                () -> NetworkFiles.parseWeights("{\"W1\": [], \"w2\": []}", "W.json"), "at least one neuron");
        ShallowReluNetworkTest.assertMessage(
                () -> NetworkFiles.parseWeights("{\"W1\": [1, 2], \"w2\": [1]}", "W.json"), "W1 row 0 is not an array");
    }

    @Test
    void rejectsMalformedData() {
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseData("x,y\n1,2\n3,4\n", "X.csv"), "no header");
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseData("1,2\n3\n", "X.csv"), "line 2 has 1 values");
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseData("1,2\n", "X.csv"), "at least two");
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseData("1,NaN\n2,3\n", "X.csv"), "finite");
        ShallowReluNetworkTest.assertMessage(() -> NetworkFiles.parseData("1,,2\n2,3,4\n", "X.csv"), "field 2");
    }
}
