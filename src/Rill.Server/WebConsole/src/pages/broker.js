import { configTable } from './configs.js';

/** This broker's properties (DescribeConfigs); the dynamic ones can be changed (IncrementalAlterConfigs at this broker). */
export function brokerPage(view) {
  view.innerHTML = `<h1>Broker configs</h1>
    <p class="muted">Dynamic properties (Kafka's per-broker dynamic configs) can be edited here; the others are static and come from server.properties or --set.</p>
    <div id="broker-configs"></div>`;
  configTable(view.querySelector('#broker-configs'), {
    path: '/api/broker/configs',
    editable: (c) => !c.readOnly,
    resettable: (c) => c.source === 'DYNAMIC_BROKER_CONFIG',
    onLoaded: () => window.rillLoaded('broker'),
  });
  return {};
}
