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
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Map<String, Channel> bound = new LinkedHashMap<>();

    public NettyTransport(int ioThreads) {
        this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("gatehouse-accept", true));
        this.workers = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("gatehouse-io", true));
    }

    /** The I/O threads, also used to schedule session expiry and delayed wills (short tasks only). */
    public EventLoopGroup workers() {
        return workers;
    }

    /** Bind every listener; completes with their bound addresses by name, or fails naming the listener. */
    public CompletableFuture<Map<String, InetSocketAddress>> bind(List<ListenerConfig> listeners, BrokerCore core) {
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
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
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

    /** Stop the event loops. */
    public CompletableFuture<Void> shutdown() {
        CompletableFuture<Void> a = new CompletableFuture<>();
        CompletableFuture<Void> b = new CompletableFuture<>();
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).addListener(x -> a.complete(null));
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).addListener(x -> b.complete(null));
        return CompletableFuture.allOf(a, b);
    }
}
