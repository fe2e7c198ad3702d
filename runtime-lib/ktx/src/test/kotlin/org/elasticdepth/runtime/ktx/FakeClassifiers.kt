package org.elasticdepth.runtime.ktx

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.charset.StandardCharsets
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import org.elasticdepth.runtime.ElasticClassifier
import org.elasticdepth.runtime.bundle.BundleManifest
import org.elasticdepth.runtime.bundle.BundleManifest.Graph
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor
import org.elasticdepth.runtime.bundle.ManifestJson
import org.elasticdepth.runtime.bundle.graph.TinyGraphs
import org.elasticdepth.runtime.spi.Accelerator
import org.elasticdepth.runtime.spi.BlockExecutor
import org.elasticdepth.runtime.spi.ExecutionTarget
import org.elasticdepth.runtime.spi.LoadedGraph

/**
 * A one-block in-memory bundle (2x2x1 images, 16 classes) and an executor that computes it in
 * Kotlin: frame `i` (first pixel = i) is classified as class `i`. The stem can be made to wait
 * on [gate], so that a test holds a classification in flight; [started] counts stems entered.
 */
internal class FakeClassifiers {
    val loads = AtomicInteger()
    val closes = ConcurrentHashMap<String, AtomicInteger>()
    val opened = AtomicInteger()
    @Volatile var gate: CountDownLatch? = null
    val started = java.util.concurrent.Semaphore(0)

    fun open(): ElasticClassifier {
        opened.incrementAndGet()
        val options = ElasticClassifier.Options.builder().setWarmUpRuns(0).build()
        return ElasticClassifier.fromBuffers(files, executor, options)
    }

    fun closed(file: String): Int = closes[file]?.get() ?: 0

    val executor = object : BlockExecutor {
        override fun name() = "fake-kotlin"
        override fun close() {}
        override fun load(graph: Graph, model: ByteBuffer): LoadedGraph {
            loads.incrementAndGet()
            return FakeGraph(graph)
        }
    }

    private inner class FakeGraph(private val spec: Graph) : LoadedGraph {
        private val outputs = spec.outputs().map {
            ByteBuffer.allocateDirect(it.elementCount() * 4).order(ByteOrder.nativeOrder())
        }
        private var closed = false

        override fun spec() = spec
        override fun target(): ExecutionTarget = ExecutionTarget.direct(Accelerator.CPU, "fake")
        override fun residentBytes() = spec.bytes()

        override fun run(input: ByteBuffer): Array<ByteBuffer> {
            check(!closed) { "${spec.file()} used after close" }
            val x = input.duplicate().order(ByteOrder.nativeOrder()).getFloat(0)
            when (spec.file()) {
                "stem.tflite" -> {
                    started.release()
                    gate?.let { check(it.await(20, TimeUnit.SECONDS)) { "gate never opened" } }
                    fill(outputs[0], x)
                }
                "head.tflite" -> {
                    fill(outputs[0], 0f)
                    outputs[0].putFloat(4 * (Math.round(x) % CLASSES), 20f)
                }
                else -> outputs.forEach { fill(it, x) }
            }
            return outputs.map { it.asReadOnlyBuffer().order(ByteOrder.nativeOrder()) }.toTypedArray()
        }

        override fun close() {
            if (!closed) {
                closed = true
                closes.computeIfAbsent(spec.file()) { AtomicInteger() }.incrementAndGet()
            }
        }

        private fun fill(buffer: ByteBuffer, value: Float) {
            for (i in 0 until buffer.capacity() step 4) buffer.putFloat(i, value)
        }
    }

    companion object {
        const val CLASSES = 16
        val FILES = listOf("stem.tflite", "block_01.tflite", "head.tflite")

        /** A normalised image whose prediction is class [frame]. */
        fun image(frame: Int) = FloatArray(4).also { it[0] = frame.toFloat() }

        private val files: Map<String, ByteBuffer> by lazy {
            fun tensor(name: String, vararg shape: Int) = Tensor(name, shape)
            fun graph(file: String, inputs: List<Tensor>, outputs: List<Tensor>): Pair<Graph, ByteArray> {
                val bytes = TinyGraphs.graph(inputs[0], outputs, 0)
                return Graph(file, "0".repeat(64), 1, 0, 1000, inputs, outputs).withContent(bytes) to bytes
            }
            val stem = graph("stem.tflite", listOf(tensor("image", 1, 2, 2, 1)), listOf(tensor("tokens", 1, 2, 4)))
            val block = graph("block_01.tflite", listOf(tensor("tokens", 1, 2, 4)),
                listOf(tensor("tokens_out", 1, 2, 4), tensor("cls", 1, 4)))
            val head = graph("head.tflite", listOf(tensor("cls", 1, 4)), listOf(tensor("logits", 1, CLASSES)))
            val manifest = BundleManifest(
                BundleManifest.FORMAT, BundleManifest.FORMAT_VERSION,
                BundleManifest.Model("vit", 2, 1, 2, 4, 1, 1, 8, CLASSES, 2, 1e-6),
                BundleManifest.Input("NHWC", 2, 2, 1, 1f, floatArrayOf(0f), floatArrayOf(1f), "stretch"),
                (0 until CLASSES).map { "class$it" },
                BundleManifest.Graphs(stem.first, listOf(block.first), head.first, null),
                null,
                BundleManifest.Provenance("aligned", 1, 1, "fake", "fp32", "test", "2026-01-01T00:00:00Z"))
            val json = ManifestJson.toJson(manifest).toByteArray(StandardCharsets.UTF_8)
            mapOf(
                BundleManifest.FILE_NAME to ByteBuffer.wrap(json),
                stem.first.file() to ByteBuffer.wrap(stem.second),
                block.first.file() to ByteBuffer.wrap(block.second),
                head.first.file() to ByteBuffer.wrap(head.second))
        }
    }
}
