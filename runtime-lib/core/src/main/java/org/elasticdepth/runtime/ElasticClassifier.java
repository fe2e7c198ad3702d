package org.elasticdepth.runtime;

import java.io.File;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.elasticdepth.runtime.Classification.LayerPrediction;
import org.elasticdepth.runtime.Classification.Stage;
import org.elasticdepth.runtime.Classification.StageKind;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleSignature;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.GraphException;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * Classifies images with an elastic-depth bundle: stem, then block 1, head, exit?, block 2, head,
 * exit? ... up to the depth its {@link DepthPlanner} chose for the {@link Budget}.
 *
 * <pre>{@code
 * ElasticClassifier.Options options = ElasticClassifier.Options.builder()
 *     .setExitPolicy(ExitPolicy.forAccuracyDrop(bundle.manifest().calibration(), 0.01))
 *     .setBudget(Budget.unlimited().withMemoryBytes(32L << 20).withLatencyMillis(20))
 *     .build();
 * try (ElasticClassifier classifier = ElasticClassifier.create(bundle, executor, options)) {
 *   Classification c = classifier.classify(argbPixels, width, height);
 *   Log.i(TAG, c.label() + " at layer " + c.exitLayer() + "; " + c.plan().reason());
 * }
 * }</pre>
 *
 * <p><b>Precision.</b> A bundle may carry its graphs in several precisions (fp32, fp16, int8). The
 * classifier runs one, chosen at creation for the executor's {@linkplain
 * BlockExecutor#preferredAccelerator() preferred accelerator}: GPU fp16 (else fp32); NNAPI and
 * CPU int8 when the bundle's measurements say it costs at most {@link
 * Options.Builder#setAcceptedQuantizationDrop the accepted drop}, else fp32; or the one {@link
 * Options.Builder#setPrecision named} in the options. {@link #precision()}, every plan and every
 * {@link Classification} say which and why; {@link #preview} tells it without loading anything.
 *
 * <p><b>Lazy blocks.</b> Only the stem, the head and blocks 1..planned depth are loaded. {@link
 * #replan} with a smaller budget closes the blocks beyond the new depth (freeing their native
 * memory); a larger budget loads the missing ones. With warm-up on, every graph runs a few times
 * on zeros right after loading and the plan is redone with the measured latencies.
 *
 * <p><b>Thread rules.</b> Each classifier owns one thread (its <em>owner thread</em>) on which
 * every graph is loaded, run and closed, because GPU delegates only work on the thread that
 * created them. All public methods are safe to call from any thread: they validate their
 * arguments on the calling thread, hand the work to the owner thread and, except the {@code
 * ...Async} variants, wait for it. Calls are served one at a time in arrival order, so results
 * are the same whether they come from one thread or many; a caller that needs throughput keeps
 * the queue short (see runtime-ktx's {@code classifyLatest}, which drops stale frames). Never
 * block a continuation of a {@code ...Async} future on another call's future: continuations may
 * run on the owner thread.
 *
 * <p><b>Ownership.</b> {@link #create} uses the given bundle and executor without owning them:
 * close the classifier first, then them. The {@code from...} factories open the bundle
 * themselves and close it with the classifier. {@link #close} is idempotent; it waits for the
 * calls already queued, then frees every graph; later calls throw {@link IllegalStateException}.
 */
public final class ElasticClassifier implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Bundle bundle;
  private final boolean ownsBundle;
  private final BlockExecutor executor;
  private final Options options;
  private final BundleManifest manifest; // the chosen precision's view of the bundle's manifest
  private final PrecisionChoice precision;
  private final int inputElements;
  private final DepthPlanner planner;
  private final BundleManifest.MinimalDepth minimalDepth; // default depth cap without a budget, or null
  private final GraphCosts manifestCosts;
  private final boolean headAfterEveryBlock;
  private final OwnerThread owner;
  private volatile InputTranslator translator;
  private volatile DepthPlan plan;
  private volatile Budget budget;
  private volatile LatencyPlan latencyPlan; // null unless the exit policy is a latency target

  // Touched only on the owner thread.
  private final ResidentGraphs graphs;
  private final OnlineStageTimer timer;
  private final LatencyTargetController latencyTarget; // null unless the exit policy is a latency target
  private ByteBuffer input;

  private ElasticClassifier(Bundle bundle, boolean ownsBundle, BlockExecutor executor, Options options) {
    this.bundle = Objects.requireNonNull(bundle, "bundle");
    this.ownsBundle = ownsBundle;
    this.executor = Objects.requireNonNull(executor, "executor");
    this.options = Objects.requireNonNull(options, "options");
    precision = choosePrecision(bundle, executor, options);
    manifest = bundle.manifest().forPrecision(precision.precision());
    inputElements = manifest.input().elementCount();
    planner = new DepthPlanner(options.assumedFlopsPerSecond());
    minimalDepth = minimalDepth(manifest);
    manifestCosts = GraphCosts.forBundle(bundle, manifest, executor);
    headAfterEveryBlock = headAfterEveryBlock(options);
    budget = options.budget();
    timer = new OnlineStageTimer(manifest.depth());
    graphs = new ResidentGraphs(bundle, manifest, executor, options.warmUpRuns(), timer);
    latencyTarget = options.exitPolicy().isLatencyTarget()
        ? new LatencyTargetController(options.exitPolicy().latencyTargetMillis().getAsDouble(), manifest.calibration())
        : null;
    owner = new OwnerThread("elastic-classifier-" + INSTANCES.incrementAndGet(), "this ElasticClassifier is closed");
  }

  /**
   * The plan {@link #create} would start with, made without loading anything: the precision chosen
   * for {@code executor}'s preferred accelerator and the depth that fits {@code options.budget()}
   * by the manifest's costs and the executor's memory estimates (no latency measured yet). For
   * showing users what a device will run, and for tests of the choice on machines that cannot
   * load the graphs.
   *
   * @throws BudgetException if not even stem + block 1 + head fit the budget
   * @throws org.elasticdepth.runtime.bundle.BundleException {@code MISSING_PRECISION} if the options
   *     ask for a precision the bundle lacks
   */
  public static DepthPlan preview(Bundle bundle, BlockExecutor executor, Options options) {
    PrecisionChoice choice = choosePrecision(bundle, executor, options);
    BundleManifest view = bundle.manifest().forPrecision(choice.precision());
    return new DepthPlanner(options.assumedFlopsPerSecond())
        .plan(options.budget(), GraphCosts.forBundle(bundle, view, executor), headAfterEveryBlock(options), minimalDepth(view))
        .withPrecision(choice);
  }

  private static PrecisionChoice choosePrecision(Bundle bundle, BlockExecutor executor, Options options) {
    return PrecisionPolicy.choose(bundle.manifest(), executor.preferredAccelerator(), options.precision(),
        options.acceptedQuantizationDrop());
  }

  private static BundleManifest.MinimalDepth minimalDepth(BundleManifest manifest) {
    return manifest.calibration() == null ? null : manifest.calibration().strictestMinimalDepth().orElse(null);
  }

  private static boolean headAfterEveryBlock(Options options) {
    return options.exitPolicy().exitsEarly() || options.evaluateEveryLayer();
  }

  /**
   * Plans, loads stem, head and the planned blocks, and warms them up (on the owner thread).
   * The classifier does not take ownership of {@code bundle} or {@code executor}.
   *
   * @throws BudgetException if not even stem + block 1 + head fit {@code options.budget()}
   * @throws org.elasticdepth.runtime.bundle.BundleException if a needed graph is missing or corrupt
   * @throws GraphException if the executor cannot load a graph
   */
  public static ElasticClassifier create(Bundle bundle, BlockExecutor executor, Options options) {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(options, "options");
    if (!options.requiredSigners().isEmpty()) {
      bundle.requireSignedBy(options.requiredSigners().toArray(new PublicKey[0]));
    }
    return start(new ElasticClassifier(bundle, false, executor, options));
  }

  /** {@link #create(Bundle, BlockExecutor, Options)} with {@link Options#defaults()}. */
  public static ElasticClassifier create(Bundle bundle, BlockExecutor executor) {
    return create(bundle, executor, Options.defaults());
  }

  /** Opens the bundle directory {@code dir}; the classifier closes it. */
  public static ElasticClassifier fromDirectory(File dir, BlockExecutor executor, Options options) {
    return owning(Bundle.fromDirectory(dir, signers(options)), executor, options);
  }

  /** Opens the bundle zip {@code zip}; the classifier closes it. */
  public static ElasticClassifier fromZip(File zip, BlockExecutor executor, Options options) {
    return owning(Bundle.fromZip(zip, signers(options)), executor, options);
  }

  /** Uses bundle files already in memory (e.g. Android assets), keyed by file name. */
  public static ElasticClassifier fromBuffers(Map<String, ByteBuffer> files, BlockExecutor executor, Options options) {
    return owning(Bundle.fromBuffers(files, signers(options)), executor, options);
  }

  /** The keys the bundle must be signed by, checked before its manifest is parsed. */
  private static PublicKey[] signers(Options options) {
    return Objects.requireNonNull(options, "options").requiredSigners().toArray(new PublicKey[0]);
  }

  private static ElasticClassifier owning(Bundle bundle, BlockExecutor executor, Options options) {
    try {
      return start(new ElasticClassifier(bundle, true, executor, options));
    } catch (RuntimeException | Error e) {
      bundle.close();
      throw e;
    }
  }

  private static ElasticClassifier start(ElasticClassifier classifier) {
    try {
      classifier.onOwner(classifier::open);
      return classifier;
    } catch (RuntimeException | Error e) {
      classifier.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- public API

  /**
   * Classifies one normalised image: {@code height x width x channels} floats, NHWC, as {@link
   * InputTranslator} produces them. Blocks until the owner thread has run it.
   *
   * @throws InputException if the length is wrong or a value is NaN or infinite
   * @throws GraphException if a graph fails or the head produces non-finite logits
   * @throws IllegalStateException if the classifier is closed
   */
  public Classification classify(float[] image) {
    float[] checked = validated(image);
    return onOwner(() -> run(checked));
  }

  /** {@link #classify(float[])} on the remaining floats of {@code image} (its position does not move). */
  public Classification classify(FloatBuffer image) {
    return classify(copy(image));
  }

  /** Translates ARGB pixels with {@link #translator()} and classifies them. */
  public Classification classify(int[] argb, int width, int height) {
    float[] image = translator().translate(argb, width, height);
    return onOwner(() -> run(image));
  }

  /**
   * Like {@link #classify(float[])} without waiting. The image is copied before this returns,
   * so the caller may reuse the array. Cancelling the future before the owner thread picks it up
   * skips the work.
   */
  public CompletableFuture<Classification> classifyAsync(float[] image) {
    float[] snapshot = validated(image).clone();
    return submit(() -> run(snapshot));
  }

  /** Like {@link #classify(FloatBuffer)} without waiting; the floats are copied before this returns. */
  public CompletableFuture<Classification> classifyAsync(FloatBuffer image) {
    float[] snapshot = validated(copy(image));
    return submit(() -> run(snapshot));
  }

  /** Like {@link #classify(int[], int, int)} without waiting; the pixels are translated before this returns. */
  public CompletableFuture<Classification> classifyAsync(int[] argb, int width, int height) {
    float[] image = translator().translate(argb, width, height);
    return submit(() -> run(image));
  }

  /**
   * Plans again for {@code budget} with the latencies measured so far, closes the blocks beyond
   * the new depth and loads (and warms up) the missing ones. Calls queued before it run under
   * the old plan. If loading fails, the previous plan and blocks stay in place.
   *
   * @throws BudgetException if not even stem + block 1 + head fit; the previous plan stays
   */
  public DepthPlan replan(Budget budget) {
    Objects.requireNonNull(budget, "budget");
    return onOwner(() -> applyPlan(budget));
  }

  /** Like {@link #replan} without waiting, e.g. from a UI thread when blocks may have to load. */
  public CompletableFuture<DepthPlan> replanAsync(Budget budget) {
    Objects.requireNonNull(budget, "budget");
    return submit(() -> applyPlan(budget));
  }

  /** The current plan: depth, reason, estimated memory and latency. */
  public DepthPlan plan() {
    return plan;
  }

  /** The budget of the current plan. */
  public Budget budget() {
    return budget;
  }

  /**
   * For an {@link ExitPolicy#forLatency} policy, the current choice of threshold and depth cap
   * with its predicted and measured mean latency; empty for the other policies. The choice is
   * redone every few dozen classifications and on {@link #replan}, from the latencies measured
   * on this device.
   */
  public java.util.Optional<LatencyPlan> latencyPlan() {
    return java.util.Optional.ofNullable(latencyPlan);
  }

  /**
   * What each graph takes on this device as the classifier measures it online (smoothed, so it
   * follows heating), and the per-classification overhead; graphs not run yet are estimated from
   * FLOPs. The input of latency targets, also for predicting another policy's latency.
   */
  public StageTimes stageTimes() {
    return onOwner(() -> planner.stageTimes(costs(), timer.overheadNanos()));
  }

  /** How many blocks are loaded now (blocks 1..n); equals the planned depth between calls. */
  public int loadedDepth() {
    return graphs.loadedDepth();
  }

  /** Bytes the loaded graphs keep resident, as the executor reports them. */
  public long residentBytes() {
    return onOwner(() -> {
      ensureOpen();
      return graphs.residentBytes();
    });
  }

  /** Which of the bundle's precisions runs, chosen once at creation for the executor's preferred accelerator. */
  public PrecisionChoice precision() {
    return precision;
  }

  /** The manifest of the precision that runs: its graphs and calibration (see {@link BundleManifest#forPrecision}). */
  public BundleManifest manifest() {
    return manifest;
  }

  public Options options() {
    return options;
  }

  /** The bundle's pre-processing for ARGB pictures. */
  public InputTranslator translator() {
    InputTranslator t = translator;
    if (t == null) {
      t = InputTranslator.of(manifest.input()); // cheap and immutable: a racing duplicate is harmless
      translator = t;
    }
    return t;
  }

  /** Waits for queued calls, then closes every graph on the owner thread and stops it. Idempotent. */
  @Override
  public void close() {
    boolean first = false;
    try {
      first = owner.close(this::releaseAll);
    } finally {
      if (ownsBundle && first) {
        bundle.close();
      }
    }
  }

  // ---------------------------------------------------------------- owner thread

  private Void open() {
    if (options.verifyAllGraphs()) {
      manifest.graphs().all().forEach(bundle::graph); // this precision's graphs: the others are never loaded
    }
    DepthPlan initial = plan(budget); // fail fast, before loading anything
    input = ByteBuffer.allocateDirect(Math.multiplyExact(inputElements, Float.BYTES)).order(ByteOrder.nativeOrder());
    graphs.loadStemAndHead();
    graphs.resize(initial.depth());
    plan = initial;
    if (options.warmUpRuns() > 0) {
      DepthPlan measured = plan(budget);
      graphs.resize(measured.depth());
      plan = measured;
    }
    planLatencyTarget();
    return null;
  }

  private DepthPlan plan(Budget budget) {
    return planner.plan(budget, costs(), headAfterEveryBlock, minimalDepth).withPrecision(precision);
  }

  private DepthPlan applyPlan(Budget budget) {
    ensureOpen();
    DepthPlan next = plan(budget);
    graphs.resize(next.depth());
    this.plan = next;
    this.budget = budget;
    planLatencyTarget();
    return next;
  }

  private void planLatencyTarget() {
    if (latencyTarget != null) {
      latencyPlan = latencyTarget.replan(planner.stageTimes(costs(), timer.overheadNanos()), plan.depth());
    }
  }

  private Classification run(float[] image) {
    ensureOpen();
    DepthPlan p = plan;
    LatencyPlan target = latencyPlan;
    ExitPolicy exitPolicy = target == null ? options.exitPolicy() : target.exitPolicy();
    int depth = target == null ? p.depth() : Math.min(p.depth(), target.depthCap());
    boolean headEveryBlock = exitPolicy.exitsEarly() || options.evaluateEveryLayer();
    long start = System.nanoTime();
    ((Buffer) input).clear(); // via Buffer: see BundleSource
    input.asFloatBuffer().put(image);
    List<Stage> stages = new ArrayList<>(2 * p.depth() + 1);
    List<LayerPrediction> layers = new ArrayList<>();
    ByteBuffer tokens = timed(StageKind.STEM, 0, graphs.stem(), input, stages)[0];
    float[] probabilities = null;
    int label = -1;
    int exitLayer = 0;
    for (int l = 1; l <= depth; l++) {
      ByteBuffer[] out = timed(StageKind.BLOCK, l, graphs.block(l), tokens, stages);
      tokens = out[0];
      if (headEveryBlock || l == depth) {
        float[] logits = logits(timed(StageKind.HEAD, l, graphs.head(), out[1], stages)[0], l);
        label = argmax(logits); // on logits, as the exporter's verify does: rounding cannot create ties
        probabilities = softmax(logits);
        exitLayer = l;
        layers.add(new LayerPrediction(l, label, probabilities[label]));
        if (exitPolicy.shouldExit(probabilities[label])) {
          break;
        }
      }
    }
    long total = System.nanoTime() - start;
    long inGraphs = 0;
    for (Stage stage : stages) {
      inGraphs += stage.nanos();
    }
    timer.recordOverhead(total - inGraphs);
    if (latencyTarget != null) {
      boolean replanDue = latencyTarget.onClassified(total);
      latencyPlan = replanDue ? latencyTarget.replan(planner.stageTimes(costs(), timer.overheadNanos()), p.depth())
          : latencyTarget.plan();
    }
    return new Classification(label, manifest.labels().get(label), probabilities, exitLayer, p, layers, stages,
        total, executor.name());
  }

  private ByteBuffer[] timed(StageKind kind, int layer, LoadedGraph graph, ByteBuffer in, List<Stage> stages) {
    long t0 = System.nanoTime();
    ByteBuffer[] out = graph.run(in);
    long nanos = System.nanoTime() - t0;
    stages.add(new Stage(kind, layer, nanos, graph.target()));
    timer.record(kind, layer, nanos);
    return out;
  }

  private float[] logits(ByteBuffer buffer, int layer) {
    // duplicate() forgets the byte order: restore it before reading floats.
    FloatBuffer logits = buffer.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
    int classes = manifest.model().numClasses();
    if (logits.remaining() != classes) {
      throw new GraphException("head returned " + logits.remaining() + " logits after layer " + layer + ", expected " + classes);
    }
    float[] out = new float[classes];
    for (int c = 0; c < classes; c++) {
      out[c] = logits.get(c);
      if (!Float.isFinite(out[c])) {
        throw new GraphException("head produced a non-finite logit (" + out[c] + ") for class " + c + " after layer "
            + layer + ": the bundle's graphs are numerically broken");
      }
    }
    return out;
  }

  private static float[] softmax(float[] logits) {
    float max = logits[argmax(logits)];
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    float[] out = new float[logits.length];
    for (int c = 0; c < logits.length; c++) {
      out[c] = (float) (Math.exp(logits[c] - max) / sum);
    }
    return out;
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private GraphCosts costs() {
    List<GraphCost> blockCosts = new ArrayList<>(manifest.depth());
    for (int l = 1; l <= manifest.depth(); l++) {
      blockCosts.add(manifestCosts.block(l).withMeasuredNanos(timer.blockNanos(l)));
    }
    return new GraphCosts(manifestCosts.stem().withMeasuredNanos(timer.stemNanos()), blockCosts,
        manifestCosts.head().withMeasuredNanos(timer.headNanos()));
  }

  private void releaseAll() {
    graphs.releaseAll();
  }

  private void ensureOpen() {
    if (graphs.released()) {
      throw new IllegalStateException("this ElasticClassifier is closed");
    }
  }

  // ---------------------------------------------------------------- hand-over to the owner thread

  private <T> CompletableFuture<T> submit(Supplier<T> task) {
    return owner.submit(task);
  }

  private <T> T onOwner(Supplier<T> task) {
    return owner.call(task);
  }

  // ---------------------------------------------------------------- input checks (caller's thread)

  private float[] validated(float[] image) {
    Objects.requireNonNull(image, "image");
    if (image.length != inputElements) {
      BundleManifest.Input in = manifest.input();
      throw new InputException("image has " + image.length + " floats but the bundle expects " + in.height() + "x"
          + in.width() + "x" + in.channels() + " = " + inputElements + " (NHWC)");
    }
    for (int i = 0; i < image.length; i++) {
      if (!Float.isFinite(image[i])) {
        int channels = manifest.input().channels();
        int pixel = i / channels;
        throw new InputException(String.format(Locale.ROOT, "image[%d] (row %d, column %d, channel %d) is %s; inputs must be finite",
            i, pixel / manifest.input().width(), pixel % manifest.input().width(), i % channels, image[i]));
      }
    }
    return image;
  }

  private static float[] copy(FloatBuffer image) {
    Objects.requireNonNull(image, "image");
    float[] out = new float[image.remaining()];
    image.duplicate().get(out);
    return out;
  }

  // ---------------------------------------------------------------- options

  /**
   * How a classifier runs. Immutable; build with {@link #builder()}, which validates in {@link
   * Builder#build()}.
   */
  public static final class Options {
    private static final Options DEFAULTS = builder().build();

    private final ExitPolicy exitPolicy;
    private final Budget budget;
    private final int warmUpRuns;
    private final boolean verifyAllGraphs;
    private final boolean evaluateEveryLayer;
    private final double assumedFlopsPerSecond;
    private final List<PublicKey> requiredSigners;
    private final Precision precision;
    private final double acceptedQuantizationDrop;

    private Options(Builder b) {
      exitPolicy = b.exitPolicy;
      budget = b.budget;
      warmUpRuns = b.warmUpRuns;
      verifyAllGraphs = b.verifyAllGraphs;
      evaluateEveryLayer = b.evaluateEveryLayer;
      assumedFlopsPerSecond = b.assumedFlopsPerSecond;
      requiredSigners = b.requiredSigners;
      precision = b.precision;
      acceptedQuantizationDrop = b.acceptedQuantizationDrop;
    }

    /** Never exit early, unlimited budget, 2 warm-up runs, hashes checked as graphs load. */
    public static Options defaults() {
      return DEFAULTS;
    }

    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding these options, to change a few. */
    public Builder toBuilder() {
      return new Builder()
          .setExitPolicy(exitPolicy)
          .setBudget(budget)
          .setWarmUpRuns(warmUpRuns)
          .setVerifyAllGraphs(verifyAllGraphs)
          .setEvaluateEveryLayer(evaluateEveryLayer)
          .setAssumedFlopsPerSecond(assumedFlopsPerSecond)
          .setRequiredSigners(requiredSigners)
          .setPrecision(precision)
          .setAcceptedQuantizationDrop(acceptedQuantizationDrop);
    }

    public ExitPolicy exitPolicy() {
      return exitPolicy;
    }

    public Budget budget() {
      return budget;
    }

    public int warmUpRuns() {
      return warmUpRuns;
    }

    public boolean verifyAllGraphs() {
      return verifyAllGraphs;
    }

    public boolean evaluateEveryLayer() {
      return evaluateEveryLayer;
    }

    public double assumedFlopsPerSecond() {
      return assumedFlopsPerSecond;
    }

    /** The precision asked for, or null to choose one for the executor's accelerator. */
    public Precision precision() {
      return precision;
    }

    /** The largest per-layer accuracy drop (a fraction) accepted for int8 graphs chosen automatically. */
    public double acceptedQuantizationDrop() {
      return acceptedQuantizationDrop;
    }

    /** The keys one of which must have signed the bundle; empty when signatures are not checked. */
    public List<PublicKey> requiredSigners() {
      return requiredSigners;
    }

    @Override
    public String toString() {
      return "Options{" + exitPolicy + ", " + budget + ", warmUpRuns=" + warmUpRuns + ", verifyAllGraphs="
          + verifyAllGraphs + ", evaluateEveryLayer=" + evaluateEveryLayer
          + (requiredSigners.isEmpty() ? "" : ", requiredSigners=" + requiredSigners.size())
          + ", precision=" + (precision == null ? "per accelerator" : precision.label())
          + ", acceptedQuantizationDrop=" + acceptedQuantizationDrop + "}";
    }

    /** Mutable, not thread-safe; {@link #build()} checks every value. */
    public static final class Builder {
      /** Default of {@link #setAcceptedQuantizationDrop}: half an accuracy point. */
      public static final double DEFAULT_ACCEPTED_QUANTIZATION_DROP = 0.005;
      /** Most warm-up runs accepted: more only delays start-up. */
      public static final int MAX_WARM_UP_RUNS = 100;

      private ExitPolicy exitPolicy = ExitPolicy.never();
      private Budget budget = Budget.unlimited();
      private int warmUpRuns = 2;
      private boolean verifyAllGraphs;
      private boolean evaluateEveryLayer;
      private double assumedFlopsPerSecond = DepthPlanner.DEFAULT_FLOPS_PER_SECOND;
      private List<PublicKey> requiredSigners = java.util.Collections.emptyList();
      private Precision precision;
      private double acceptedQuantizationDrop = DEFAULT_ACCEPTED_QUANTIZATION_DROP;

      private Builder() {}

      /**
       * Run the bundle's graphs of {@code precision}, whatever the accelerator; {@code null}
       * (the default) chooses per accelerator: GPU fp16 (else fp32), NNAPI and CPU int8 when it
       * costs at most {@link #setAcceptedQuantizationDrop the accepted drop}, else fp32. The
       * choice and its reason are in {@link ElasticClassifier#precision()} and every {@link DepthPlan}.
       * A precision the bundle lacks fails creation with a {@link
       * org.elasticdepth.runtime.bundle.BundleException} of problem {@code MISSING_PRECISION}.
       */
      public Builder setPrecision(Precision precision) {
        this.precision = precision;
        return this;
      }

      /**
       * The most accuracy int8 may cost, at its worst layer against the bundle's float graphs (the
       * exporter's validation measurements), for it to be chosen automatically: a fraction in
       * [0, 1], default {@value #DEFAULT_ACCEPTED_QUANTIZATION_DROP} (half a point).
       */
      public Builder setAcceptedQuantizationDrop(double drop) {
        this.acceptedQuantizationDrop = drop;
        return this;
      }

      /**
       * Accept only bundles whose manifest.json is signed by one of {@code keys} (EC P-256, see
       * {@link org.elasticdepth.runtime.bundle.BundleSignature}; read them with {@link
       * org.elasticdepth.runtime.bundle.PemKeys}), for apps that load bundles from outside their
       * APK. The {@code from...} factories check the signature before parsing the manifest; {@link
       * ElasticClassifier#create(Bundle, BlockExecutor, Options)} checks the opened bundle. An unsigned or otherwise signed bundle fails with a
       * {@link org.elasticdepth.runtime.bundle.BundleException} of problem {@code SIGNATURE}.
       * Default: no signature required.
       *
       * @throws IllegalArgumentException if {@code keys} is empty or holds a null or non-P-256 key
       */
      public Builder requireSignedBy(PublicKey... keys) {
        if (keys == null || keys.length == 0) {
          throw new IllegalArgumentException("requireSignedBy needs at least one public key");
        }
        this.requiredSigners = BundleSignature.checkedKeys(keys);
        return this;
      }

      private Builder setRequiredSigners(List<PublicKey> keys) {
        this.requiredSigners = keys;
        return this;
      }

      /** When to stop before the planned depth; default {@link ExitPolicy#never()}. */
      public Builder setExitPolicy(ExitPolicy exitPolicy) {
        this.exitPolicy = exitPolicy;
        return this;
      }

      /** The budget of the first plan; default {@link Budget#unlimited()}. Change it later with {@link #replan}. */
      public Builder setBudget(Budget budget) {
        this.budget = budget;
        return this;
      }

      /**
       * Runs of each graph on zeros right after it loads, 0..{@value #MAX_WARM_UP_RUNS}; default
       * 2. The first of several runs is not measured. With 0 the plan relies on FLOP estimates
       * until {@link #replan} finds latencies measured by real classifications.
       */
      public Builder setWarmUpRuns(int warmUpRuns) {
        this.warmUpRuns = warmUpRuns;
        return this;
      }

      /**
       * Hash every graph, also those beyond the planned depth, before the classifier exists, so
       * a corrupt block fails {@code create} rather than a later {@link #replan}. Default false:
       * each graph is hashed when it loads, which is always done.
       */
      public Builder setVerifyAllGraphs(boolean verifyAllGraphs) {
        this.verifyAllGraphs = verifyAllGraphs;
        return this;
      }

      /**
       * Run the head after every block even when the exit policy never exits, so that {@link
       * Classification#layers()} holds every layer's prediction (analysis, benchmarks). Costs one
       * head call per block. Default false.
       */
      public Builder setEvaluateEveryLayer(boolean evaluateEveryLayer) {
        this.evaluateEveryLayer = evaluateEveryLayer;
        return this;
      }

      /** Throughput assumed for graphs not measured yet; default {@link DepthPlanner#DEFAULT_FLOPS_PER_SECOND}. */
      public Builder setAssumedFlopsPerSecond(double flopsPerSecond) {
        this.assumedFlopsPerSecond = flopsPerSecond;
        return this;
      }

      /** @throws IllegalArgumentException naming the first invalid value */
      public Options build() {
        if (exitPolicy == null) {
          throw new IllegalArgumentException("exitPolicy must not be null (use ExitPolicy.never() for full depth)");
        }
        if (budget == null) {
          throw new IllegalArgumentException("budget must not be null (use Budget.unlimited())");
        }
        if (warmUpRuns < 0 || warmUpRuns > MAX_WARM_UP_RUNS) {
          throw new IllegalArgumentException("warmUpRuns must be in 0.." + MAX_WARM_UP_RUNS + ", got " + warmUpRuns);
        }
        if (!(acceptedQuantizationDrop >= 0 && acceptedQuantizationDrop <= 1)) {
          throw new IllegalArgumentException("acceptedQuantizationDrop must be a fraction in [0, 1] (0.005 = half a point), got "
              + acceptedQuantizationDrop);
        }
        if (!(assumedFlopsPerSecond > 0) || Double.isInfinite(assumedFlopsPerSecond)) {
          throw new IllegalArgumentException("assumedFlopsPerSecond must be a positive finite number, got " + assumedFlopsPerSecond);
        }
        return new Options(this);
      }
    }
  }
}
