// Home page: in --demo mode, lists the simulated orders' tracking links (GET /api/demo/orders).
const response = await fetch('api/demo/orders').catch(() => null);
if (response?.ok) {
  const orders = await response.json();
  const list = document.getElementById('demo-orders');
  for (const o of orders) {
    const link = document.createElement('a');
    link.className = 'row';
    link.href = o.trackingUrl;
    link.innerHTML = '<span></span><span class="muted small"></span>';
    link.children[0].textContent = `Order ${o.orderId}`;
    link.children[1].textContent = `rider ${o.riderId}` + (o.restaurantId ? ` · from ${o.restaurantId}` : '');
    const item = document.createElement('li');
    item.append(link);
    list.append(item);
  }
  document.getElementById('demo-card').hidden = orders.length === 0;
}
