import { Counter, CounterConfiguration, Histogram, HistogramConfiguration, Metric, register } from 'prom-client';

/**
 * A metric on prom-client's default registry, made on first use: the hub keeps one registry per
 * process (`/metrics` serves it), and several buses, stores or gateway apps in one process (the
 * standalone hub, tests) share each metric instead of registering it twice.
 */
export const processMetric = <T extends Metric>(name: string, create: (name: string) => T): T =>
  (register.getSingleMetric(name) as T | undefined) ?? create(name);

export const processHistogram = <L extends string>(config: HistogramConfiguration<L>): Histogram<L> =>
  processMetric(config.name, () => new Histogram<L>(config));

export const processCounter = <L extends string = never>(config: CounterConfiguration<L>): Counter<L> =>
  processMetric(config.name, () => new Counter<L>(config));
