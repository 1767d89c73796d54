// Joins the two processes of the recorded --full run (one per optimizer, --optimizers sgd / adam) into one
// summary.json, report.md and the charts, with the report and chart code of dev.minima.demos.mnist.
// Usage (from the repository root, after `mvn -q -B -o package -DskipTests`):
//   jshell --class-path "demos/target/minima-demos.jar:$(ls demos/target/lib/*.jar | tr '\n' ':')" \
//     -R-DSGD=<sgd out dir> -R-DADAM=<adam out dir> -R-DOUT=<target dir> docs/runs/mnist-denoise-full/merge.jsh
import com.google.gson.reflect.TypeToken;
import dev.minima.demos.*;
import dev.minima.demos.mnist.*;
import dev.minima.data.*;
import java.nio.file.*;
import java.util.*;

Path sgdDir = Path.of(System.getProperty("SGD"));
Path adamDir = Path.of(System.getProperty("ADAM"));
Path out = Path.of(System.getProperty("OUT"));
Files.createDirectories(out);
Map<String, Object> readJson(Path f) throws Exception {
    return DemoCommand.GSON.fromJson(Files.readString(f), new TypeToken<LinkedHashMap<String, Object>>() {}.getType());
}
List<Double> column(Path csv, String opt, int col) throws Exception {
    List<Double> v = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
        String[] c = line.split(",");
        if (c.length > col && c[1].equals(opt)) v.add(Double.parseDouble(c[col]));
    }
    return v;
}
Map<String, Object> s = readJson(sgdDir.resolve("summary.json"));
Map<String, Object> sgd = (Map<String, Object>) s.get("sgd");
List<Double> sgdTrain = column(sgdDir.resolve("training.csv"), "sgd", 4);
List<Double> sgdVal = column(sgdDir.resolve("training.csv"), "sgd", 5);
List<Double> adamTrain = column(adamDir.resolve("training.csv"), "adam", 4);
List<Double> adamVal = column(adamDir.resolve("training.csv"), "adam", 5);
boolean adamFinished = Files.exists(adamDir.resolve("summary.json"));
Map<String, Object> a;
Map<String, Object> adam;
if (adamFinished) {
    a = readJson(adamDir.resolve("summary.json"));
    adam = (Map<String, Object>) a.get("adam");
} else {
    // the Adam process was stopped before its end-of-run measurements: its last trace point (lambda_max on the
    // trace probe, dead units) and its last epoch's running training loss and validation loss stand in for them
    a = s;
    List<Map<String, Object>> tr = new ArrayList<>();
    for (String line : Files.readAllLines(adamDir.resolve("trace.csv"))) {
        String[] c = line.split(",");
        if (!c[1].equals("adam")) continue;
        Map<String, Object> pt = new LinkedHashMap<>();
        pt.put("epoch", Integer.parseInt(c[2]));
        pt.put("step", Long.parseLong(c[3]));
        pt.put("train_loss_running", Double.parseDouble(c[4]));
        pt.put("lmax", Double.parseDouble(c[5]));
        pt.put("lmax_residual", Double.parseDouble(c[6]));
        List<Double> d = new ArrayList<>();
        for (String x : c[7].split(";")) d.add(Double.parseDouble(x));
        pt.put("dead_units", d);
        tr.add(pt);
    }
    Map<String, Object> last = tr.get(tr.size() - 1);
    double baseTrain = ((Number) ((Map<String, Object>) s.get("baseline")).get("train")).doubleValue();
    adam = new LinkedHashMap<>();
    adam.put("optimizer", "adam");
    adam.put("learning_rate", 3e-4);
    adam.put("beta1", 0.8);
    adam.put("beta2", 0.99);
    adam.put("init_seed", 0);
    adam.put("batch", 100);
    adam.put("epochs", adamTrain.size());
    adam.put("stopped_early", "process stopped after epoch " + adamTrain.size() + " (step "
            + (adamTrain.size() * 500) + "); train_loss is that epoch's running mean of batch losses, lmax and"
            + " dead_units are the last trace point's (trace probe)");
    adam.put("diverged", false);
    adam.put("train_loss", adamTrain.get(adamTrain.size() - 1));
    adam.put("val_loss", adamVal.get(adamVal.size() - 1));
    adam.put("baseline_ratio", adamTrain.get(adamTrain.size() - 1) / baseTrain);
    adam.put("lmax", last.get("lmax"));
    adam.put("lmax_residual", last.get("lmax_residual"));
    adam.put("lmax_probe", "trace probe at step " + last.get("step"));
    adam.put("threshold", null);
    adam.put("dead_units", last.get("dead_units"));
    adam.put("trace", tr);
}
sgd.put("loss_drop_last_quarter", MnistDenoise.lastQuarterDrop(sgdTrain));
adam.put("loss_drop_last_quarter", MnistDenoise.lastQuarterDrop(adamTrain));
Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) a.get("config"));
config.put("epochs", ((Number) sgd.get("epochs")).intValue() + " (SGD) / " + ((Number) adam.get("epochs")).intValue() + " (Adam)");
config.put("optimizers", "sgd and adam, one process each");
Map<String, Object> base = new LinkedHashMap<>((Map<String, Object>) a.get("baseline"));
int nTrain = ((Number) config.get("train")).intValue();
float[] clean = NoisyMnist.of(MnistArrays.read(MnistLocalRepository.resolveDataDir(null),
        ai.djl.training.dataset.Dataset.Usage.TRAIN).head(nTrain), 1.25, 0).clean();
double affine = MnistDenoise.affineDenoiserLoss(clean, nTrain, ((Number) config.get("sigma")).doubleValue());
base.put("affine", affine);
base.put("affine_ratio", affine / ((Number) base.get("train")).doubleValue());
List<Map<String, Object>> runs = List.of(sgd, adam);
Map<String, Object> m = new LinkedHashMap<>();
m.put("config", config);
m.put("baseline", base);
m.put("sgd", sgd);
m.put("adam", adam);
m.put("runs", runs);
m.put("table", DenoiseReport.table(runs));
m.put("seconds", Map.of("sgd_process", s.get("seconds"), "adam_process", adamFinished ? a.get("seconds") : "stopped"));
if (!adamFinished) m.put("adam_note", adam.get("stopped_early"));
DemoCommand.writeJson(out.resolve("summary.json"), m);
DenoiseReport.write(m, out.resolve("report.md"));
DenoiseCharts.loss(sgdTrain, sgdVal, adamTrain, adamVal, ((Number) base.get("train")).doubleValue(),
        out.resolve("loss.png"));
Map<String, List<Map<String, Object>>> traces = new LinkedHashMap<>();
traces.put("sgd", (List<Map<String, Object>>) sgd.get("trace"));
traces.put("adam", (List<Map<String, Object>>) adam.get("trace"));
DenoiseCharts.trace(traces, out.resolve("trace.png"));
System.out.println("wrote " + out);
/exit
