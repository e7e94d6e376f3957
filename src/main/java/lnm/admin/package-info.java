/**
 * What an operator sees of a running appliance: metrics, health, the status page, and
 * reloading when the config or allowlist file changes.
 *
 * <h2>Endpoints ({@code admin.listen}, default 127.0.0.1:9090; GET and HEAD)</h2>
 * <ul>
 * <li>{@code /} the status page: counters, charts of the last minutes (inline SVG), per-listener
 *     and per-rule allow/deny counts, top denied names, live connections; refreshes every 5 s</li>
 * <li>{@code /metrics} Prometheus text format 0.0.4</li>
 * <li>{@code /healthz} 200 while the process runs</li>
 * <li>{@code /readyz} 200 when every listener is bound and the appliance is not draining, else 503</li>
 * <li>{@code /connections} live connections as JSON</li>
 * </ul>
 *
 * <h2>Metrics</h2>
 * <pre>
 * lnm_build_info{version,level}                     gauge     1
 * lnm_start_time_seconds, lnm_uptime_seconds        gauge
 * lnm_ready                                         gauge     1 ready, 0 not (or draining)
 * lnm_listener_bound{listener,mode}                 gauge
 * lnm_allowlist_rules                               gauge
 * lnm_connections_total{listener,decision,reason}   counter   ended connections, by audit reason
 * lnm_active_connections                            gauge
 * lnm_bytes_total{listener,direction=up|down}       counter   live connections included (sampled each second)
 * lnm_hello_failures_total{reason}                  counter   malformed_hello, hello_timeout, ...
 * lnm_upstream_connect_seconds                      histogram 1 ms .. 10 s
 * lnm_dns_lookups_total{result=cache_hit|resolved|failed} counter
 * lnm_dns_forward_mismatch_total                    counter   forged or stray answers to forwarded queries, dropped
 * lnm_config_reloads_total{result=success|failure}  counter
 * lnm_config_last_reload_successful                 gauge
 * lnm_config_last_reload_time_seconds               gauge
 * lnm_audit_records_written_total                   counter
 * lnm_audit_records_dropped_total                   counter   the writer's queue was full
 * lnm_jvm_heap_used_bytes, lnm_jvm_heap_max_bytes   gauge
 * lnm_jvm_direct_used_bytes                         gauge     relay buffers live here
 * </pre>
 *
 * <p>Threads: metrics are pushed from loop threads with lock-free adders only; the HTTP
 * endpoint has two worker threads; a sampler thread takes one snapshot a second; the config
 * watcher has one thread. None of them ever runs on, or waits for, a loop thread except the
 * bounded connection snapshot.
 */
package lnm.admin;
