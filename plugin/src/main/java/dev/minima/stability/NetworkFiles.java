package dev.minima.stability;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the files of the {@code norms} command.
 *
 * <ul>
 *   <li>Weights, JSON: {@code {"W1": [[…] k rows of d numbers], "b1": [k numbers] or null, "w2": [k numbers],
 *       "b2": number or null}}. A missing or null {@code b1}/{@code b2} means a layer without bias.
 *   <li>Data, CSV: n rows of d numbers separated by commas, no header; blank lines are ignored.
 * </ul>
 *
 * Malformed files raise {@link IllegalArgumentException} naming the file, the place and the fix.
 */
public final class NetworkFiles {

    private NetworkFiles() {}

    /**
     * @param file a weights JSON file
     * @return the network
     * @throws IOException if the file cannot be read
     */
    public static ShallowReluNetwork readWeights(Path file) throws IOException {
        return parseWeights(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param json the JSON text
     * @param source a name for messages
     * @return the network
     */
    public static ShallowReluNetwork parseWeights(String json, String source) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + " is not valid JSON (" + e.getMessage() + "); expected "
                    + "{\"W1\": [[...]], \"b1\": [...], \"w2\": [...], \"b2\": number}", e);
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException(source + ": the top level must be a JSON object with keys W1, b1, w2, b2");
        }
        JsonObject o = root.getAsJsonObject();
        JsonElement w1e = o.get("W1");
        if (w1e == null || !w1e.isJsonArray()) {
            throw new IllegalArgumentException(source + ": missing \"W1\": give the first-layer weights as k rows of d"
                    + " numbers, e.g. \"W1\": [[1.0, -0.5], [0.3, 2.0]]");
        }
        JsonArray rows = w1e.getAsJsonArray();
        double[][] w1 = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            if (!rows.get(i).isJsonArray()) {
                throw new IllegalArgumentException(source + ": W1 row " + i + " is not an array; W1 must be a list of"
                        + " k rows, each a list of d numbers");
            }
            w1[i] = numbers(rows.get(i).getAsJsonArray(), source, "W1[" + i + "]");
        }
        double[] b1 = optionalArray(o, "b1", source);
        JsonElement w2e = o.get("w2");
        if (w2e == null || !w2e.isJsonArray()) {
            throw new IllegalArgumentException(source + ": missing \"w2\": give the k output weights as an array");
        }
        double[] w2 = numbers(w2e.getAsJsonArray(), source, "w2");
        Double b2 = null;
        JsonElement b2e = o.get("b2");
        if (b2e != null && !b2e.isJsonNull()) {
            b2 = number(b2e, source, "b2");
        }
        try {
            return ShallowReluNetwork.of(w1, b1, w2, b2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static double[] optionalArray(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException(source + ": \"" + key + "\" must be an array of numbers or null");
        }
        return numbers(e.getAsJsonArray(), source, key);
    }

    private static double[] numbers(JsonArray a, String source, String what) {
        double[] out = new double[a.size()];
        for (int i = 0; i < a.size(); i++) {
            out[i] = number(a.get(i), source, what + "[" + i + "]");
        }
        return out;
    }

    private static double number(JsonElement e, String source, String what) {
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isNumber()) {
                return p.getAsDouble();
            }
            if (p.isString()) {
                String s = p.getAsString().trim();
                if (s.equals("NaN") || s.endsWith("Infinity")) {
                    return Double.parseDouble(s);
                }
            }
        }
        throw new IllegalArgumentException(source + ": " + what + " is " + e + ", expected a number");
    }

    /**
     * @param network a network
     * @return its weights in the JSON format above
     */
    public static String toJson(ShallowReluNetwork network) {
        JsonObject o = new JsonObject();
        JsonArray w1 = new JsonArray();
        for (double[] row : network.firstLayerWeights()) {
            w1.add(array(row));
        }
        o.add("W1", w1);
        o.add("b1", network.hasHiddenBias() ? array(network.hiddenBiases()) : com.google.gson.JsonNull.INSTANCE);
        o.add("w2", array(network.outputWeights()));
        o.add("b2", network.hasOutputBias() ? new JsonPrimitive(network.outputBias())
                : com.google.gson.JsonNull.INSTANCE);
        return o.toString();
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(x);
        }
        return a;
    }

    /**
     * @param file a CSV data file
     * @return n rows of d numbers
     * @throws IOException if the file cannot be read
     */
    public static double[][] readData(Path file) throws IOException {
        return parseData(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param csv the CSV text: n rows of d comma-separated numbers, no header
     * @param source a name for messages
     * @return the rows
     */
    public static double[][] parseData(String csv, String source) {
        List<double[]> rows = new ArrayList<>();
        String[] lines = csv.split("\\r?\\n", -1);
        int d = -1;
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln].trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(",", -1);
            double[] row = new double[fields.length];
            for (int f = 0; f < fields.length; f++) {
                String t = fields[f].trim();
                try {
                    row[f] = Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(source + " line " + (ln + 1) + ", field " + (f + 1) + ": '" + t
                            + "' is not a number (the file must hold only comma-separated numbers, no header)", e);
                }
                if (!Double.isFinite(row[f])) {
                    throw new IllegalArgumentException(source + " line " + (ln + 1) + ", field " + (f + 1) + " is "
                            + t + ": inputs must be finite");
                }
            }
            if (d < 0) {
                d = row.length;
            } else if (row.length != d) {
                throw new IllegalArgumentException(source + " line " + (ln + 1) + " has " + row.length
                        + " values but earlier rows have " + d + ": every row needs the same d");
            }
            rows.add(row);
        }
        if (rows.size() < 2) {
            throw new IllegalArgumentException(source + " holds " + rows.size() + " data row(s): need at least two"
                    + " (n ≥ 2) rows of d comma-separated numbers");
        }
        return rows.toArray(new double[0][]);
    }
}
