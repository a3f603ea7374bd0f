package dev.troupe.team;

import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;
import com.typesafe.config.Config;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * An executor for a dispatcher whose tasks block (reading an agent's stdout): a task runs on an idle thread when
 * there is one, and on a new thread only when every thread is busy; idle threads end after a minute. Akka's
 * thread-pool-executor cannot be set up this way: below its core size it starts a new thread for every task
 * (a thousand threads for one agent's output, seen by the benchmark), and above it, it queues tasks behind
 * blocked readers. Named in {@code conf/application.conf} as the dispatcher's {@code executor}.
 */
public final class CachedThreads extends ExecutorServiceConfigurator {

    private static final long IDLE_SECONDS = 60;

    public CachedThreads(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
        return () -> new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), threadFactory);
    }
}
