@file:JvmName("ElasticClassifierKtx")

package org.elasticdepth.runtime.ktx

import java.nio.FloatBuffer
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import org.elasticdepth.runtime.Budget
import org.elasticdepth.runtime.Classification
import org.elasticdepth.runtime.DepthPlan
import org.elasticdepth.runtime.ElasticClassifier

/*
 * Coroutines interop. The classifier already runs every graph on its own owner thread, so the
 * suspend functions below only hand work over and suspend until it is done: no dispatcher of the
 * caller is ever blocked by inference, and none needs to be chosen.
 */

/**
 * Classifies a normalised NHWC image, suspending (not blocking) until the classifier's owner
 * thread has run it. The image is copied before the first suspension, so the caller may reuse
 * the array. If the coroutine is cancelled before the owner thread starts the work, it is
 * skipped; once started it completes on the owner thread and its result is dropped.
 */
suspend fun ElasticClassifier.awaitClassify(image: FloatArray): Classification = classifyAsync(image).await()

/** [awaitClassify] on the remaining floats of [image]; its position does not move. */
suspend fun ElasticClassifier.awaitClassify(image: FloatBuffer): Classification = classifyAsync(image).await()

/** Translates ARGB [pixels] with [ElasticClassifier.translator] and classifies them, suspending. */
suspend fun ElasticClassifier.awaitClassify(pixels: IntArray, width: Int, height: Int): Classification =
    classifyAsync(pixels, width, height).await()

/** [ElasticClassifier.replan], suspending while blocks beyond the old depth load. */
suspend fun ElasticClassifier.awaitReplan(budget: Budget): DepthPlan = replanAsync(budget).await()

/**
 * Classifies the frames of this flow with a classifier opened for this collection alone,
 * keeping up with a fast source by dropping stale frames: while one frame is being classified
 * (or its result is being consumed) newer frames replace each other, and only the latest is
 * classified next. Nothing queues up, so a result is never older than one frame behind.
 *
 * [open] runs on [context] (default [Dispatchers.IO]: it reads the bundle and loads graphs)
 * when collection starts; the classifier is closed on [context] exactly once when collection
 * ends, whether the flow completes, fails or is cancelled, after any classification still
 * running on the owner thread has finished. Each collection opens its own classifier.
 *
 * [classify] turns one frame into a result with the classifier, e.g.
 * `{ frame -> awaitClassify(frame.pixels, frame.width, frame.height) to frame }`.
 */
fun <T, R> Flow<T>.classifyLatest(
    open: () -> ElasticClassifier,
    context: CoroutineContext = Dispatchers.IO,
    classify: suspend ElasticClassifier.(T) -> R,
): Flow<R> = flow {
    // Non-cancellable so that a classifier created while the collector was being cancelled is
    // still handed back here, and closed below, instead of leaking its native graphs.
    val classifier = withContext(context + NonCancellable) { open() }
    try {
        this@classifyLatest.conflate().collect { frame -> emit(classifier.classify(frame)) }
    } finally {
        withContext(context + NonCancellable) { classifier.close() }
    }
}

/** [classifyLatest] for frames that are already normalised NHWC images. */
fun Flow<FloatArray>.classifyLatest(
    open: () -> ElasticClassifier,
    context: CoroutineContext = Dispatchers.IO,
): Flow<Classification> = classifyLatest(open, context) { image -> awaitClassify(image) }

/**
 * Classifies the latest frames with a classifier the caller owns (and closes): the same
 * conflation as the factory variant, without opening or closing anything.
 */
fun Flow<FloatArray>.classifyLatest(classifier: ElasticClassifier): Flow<Classification> =
    conflate().map { image -> classifier.awaitClassify(image) }
