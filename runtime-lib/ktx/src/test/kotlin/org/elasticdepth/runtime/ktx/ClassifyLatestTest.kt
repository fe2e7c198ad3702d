package org.elasticdepth.runtime.ktx

import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.catch
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.flow.launchIn
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.runInterruptible
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.elasticdepth.runtime.Classification
import org.elasticdepth.runtime.ktx.FakeClassifiers.Companion.FILES
import org.elasticdepth.runtime.ktx.FakeClassifiers.Companion.image
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

class ClassifyLatestTest {
    private val fakes = FakeClassifiers()

    /** Waits (off the test dispatcher) until the owner thread entered the stem [n] more times. */
    private suspend fun awaitStems(n: Int = 1) = withContext(Dispatchers.IO) {
        assertTrue("the owner thread never ran the stem", fakes.started.tryAcquire(n, 20, TimeUnit.SECONDS))
    }

    private fun assertEveryGraphClosedOnce() {
        assertEquals(1, fakes.opened.get())
        assertEquals(FILES.size, fakes.loads.get())
        for (file in FILES) assertEquals(file, 1, fakes.closed(file))
    }

    @Test
    fun staleFramesAreDroppedAndTheLatestWins() = runTest {
        val gate = CountDownLatch(1)
        fakes.gate = gate
        val frames = flow {
            emit(image(1))
            awaitStems() // frame 1 is now running on the owner thread, held by the gate
            for (i in 2..9) emit(image(i)) // each replaces the previous one: conflation
            gate.countDown()
        }
        val labels = frames.classifyLatest(fakes::open).toList().map(Classification::labelIndex)
        assertEquals(listOf(1, 9), labels)
        assertEveryGraphClosedOnce()
    }

    @Test
    fun noFrameIsDroppedWhileTheConsumerKeepsUp() = runTest {
        val acks = Channel<Unit>(Channel.UNLIMITED)
        val frames = flow {
            for (i in listOf(3, 1, 4, 1, 5)) {
                emit(image(i))
                acks.receive() // the next frame comes only after this one's result arrived
            }
        }
        val labels = frames.classifyLatest(fakes::open)
            .onEach { acks.send(Unit) }
            .toList()
            .map(Classification::labelIndex)
        assertEquals(listOf(3, 1, 4, 1, 5), labels)
        assertEveryGraphClosedOnce()
    }

    /** A camera-like frame: ARGB pixels, translated by the classifier itself. */
    private class Frame(val id: Int, val pixels: IntArray, val width: Int, val height: Int)

    @Test
    fun customFramesArePairedWithTheirResults() = runTest {
        // The fake bundle normalises with scale 1, mean 0, std 1: grey level `id` predicts class `id`.
        val frames = flowOf(2, 7).map { id ->
            Frame(id, IntArray(4) { (0xff shl 24) or (id shl 16) or (id shl 8) or id }, 2, 2)
        }
        val pairs = frames.classifyLatest({ fakes.open() }) { frame ->
            frame.id to awaitClassify(frame.pixels, frame.width, frame.height).labelIndex()
        }.toList()
        assertEquals(pairs.last(), 7 to 7)
        pairs.forEach { (id, label) -> assertEquals(id, label) }
        assertEveryGraphClosedOnce()
    }

    @Test
    fun cancellationWhileAFrameIsInFlightClosesExactlyOnce() = runTest {
        val gate = CountDownLatch(1)
        fakes.gate = gate
        val received = mutableListOf<Classification>()
        val job = flow { emit(image(2)); emit(image(3)) }
            .classifyLatest(fakes::open)
            .onEach { received += it }
            .launchIn(this)
        awaitStems()
        val cancelling = launch { job.cancelAndJoin() }
        gate.countDown() // the owner thread finishes the frame; its result is dropped
        cancelling.join()
        assertTrue(job.isCancelled)
        assertTrue(received.isEmpty())
        assertEveryGraphClosedOnce()
    }

    @Test
    fun upstreamFailureClosesExactlyOnce() = runTest {
        val failing = flow {
            emit(image(4))
            throw IllegalStateException("camera gone")
        }
        var error: Throwable? = null
        val labels = failing.classifyLatest(fakes::open)
            .catch { error = it }
            .toList()
            .map(Classification::labelIndex)
        assertEquals("camera gone", error?.message)
        assertTrue(labels.size <= 1)
        assertEveryGraphClosedOnce()
    }

    @Test
    fun eachCollectionOpensAndClosesItsOwnClassifier() = runTest {
        val flow: Flow<Classification> = flowOf(image(5)).classifyLatest(fakes::open)
        assertEquals(5, flow.toList().single().labelIndex())
        assertEquals(5, flow.toList().single().labelIndex())
        assertEquals(2, fakes.opened.get())
        for (file in FILES) assertEquals(file, 2, fakes.closed(file))
    }

    @Test
    fun awaitClassifyDoesNotBlockTheCallersThread() {
        val single = Executors.newSingleThreadExecutor().asCoroutineDispatcher()
        val gate = CountDownLatch(1)
        fakes.gate = gate
        val classifier = fakes.open()
        try {
            runBlocking(single) {
                val result = async { classifier.awaitClassify(image(7)) }
                awaitStems()
                // The only thread of this dispatcher is free while the frame is in flight.
                val other = async(start = CoroutineStart.UNDISPATCHED) { withContext(single) { "ran" } }
                assertEquals("ran", withTimeout(5_000) { other.await() })
                gate.countDown()
                assertEquals(7, result.await().labelIndex())
                assertEquals(8, classifier.awaitClassify(image(8)).labelIndex())
                assertEquals(1, classifier.awaitReplan(classifier.budget()).depth())
            }
        } finally {
            classifier.close()
            single.close()
        }
    }

    @Test
    fun callerOwnedClassifierIsNotClosed() = runTest {
        val classifier = fakes.open()
        try {
            val labels = flowOf(image(6)).classifyLatest(classifier).toList().map(Classification::labelIndex)
            assertEquals(listOf(6), labels)
            assertEquals(0, fakes.closed("stem.tflite"))
            assertEquals(10, runInterruptible { classifier.classify(image(10)) }.labelIndex())
        } finally {
            classifier.close()
        }
        assertEquals(1, fakes.closed("stem.tflite"))
    }

    @Test
    fun badFrameFailsTheFlowWithATypedErrorAndStillCloses() = runTest {
        try {
            flowOf(FloatArray(3)).classifyLatest(fakes::open).toList()
            fail()
        } catch (e: org.elasticdepth.runtime.InputException) {
            assertTrue(e.message!!.contains("3 floats"))
        }
        assertEveryGraphClosedOnce()
    }
}
