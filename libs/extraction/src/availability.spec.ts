import {
  availabilityFromText,
  combineAvailability,
  normaliseAvailability,
  WORDS,
} from './availability';
import { WORDING } from './availability-wording';
import { readBuyBox } from './buy-box';
import { indexPage } from './dom';
import { extractProduct } from './product-extractor';

describe('availability', () => {
  it.each([
    ['http://schema.org/InStock', 'InStock'],
    ['https://schema.org/OutOfStock', 'OutOfStock'],
    ['InStock', 'InStock'],
    ['schema:PreOrder', 'PreOrder'],
    ['out of stock', 'OutOfStock'],
    ['in_stock', 'InStock'],
    ['in stock', 'InStock'],
    ['instock', 'InStock'],
    ['available', 'InStock'],
    ['https://schema.org/SoldOut', 'OutOfStock'],
    ['available for order', 'BackOrder'],
    ['BackOrdered', 'BackOrder'],
    ['LimitedAvailability', 'LimitedAvailability'],
    ['https://schema.org/Discontinued', 'Discontinued'],
    ['http://schema.org/In Stock', 'InStock'],
    ['something else', null],
    ['', null],
    ['x'.repeat(10_000), null],
  ])('normalises %j to %j', (value, expected) => {
    expect(normaliseAvailability(value)).toBe(expected);
  });

  it('never normalises a non-string', () => {
    expect(normaliseAvailability(undefined)).toBeNull();
    expect(normaliseAvailability({ toString: () => 'InStock' })).toBeNull();
  });

  it('calls a product in stock when any variant is, and says nothing about no values', () => {
    expect(combineAvailability(['OutOfStock', 'InStock', 'OutOfStock'])).toBe('InStock');
    expect(combineAvailability(['OutOfStock', 'SoldOut'])).toBe('OutOfStock');
    expect(combineAvailability(['OutOfStock', 'PreOrder'])).toBe('PreOrder');
    expect(combineAvailability(['LimitedAvailability', 'OutOfStock'])).toBe('LimitedAvailability');
    expect(combineAvailability([null, null])).toBeNull();
    expect(combineAvailability([])).toBeNull();
  });

  it.each([
    ['Currently unavailable.', 'OutOfStock'],
    ['Agotado', 'OutOfStock'],
    ['Ausverkauft', 'OutOfStock'],
    ['Épuisé', 'OutOfStock'],
    ['Esaurito', 'OutOfStock'],
    ['Esgotado', 'OutOfStock'],
    ['Uitverkocht', 'OutOfStock'],
    ['Produkt niedostępny', 'OutOfStock'],
    ['Slutsåld', 'OutOfStock'],
    ['Udsolgt', 'OutOfStock'],
    ['Vyprodáno', 'OutOfStock'],
    ['在庫切れ', 'OutOfStock'],
    ['缺货', 'OutOfStock'],
    ['품절', 'OutOfStock'],
    ['אזל מהמלאי', 'OutOfStock'],
    ['Нет в наличии', 'OutOfStock'],
    ['Tükendi', 'OutOfStock'],
    ['Notify me when available', 'OutOfStock'],
    ['This listing has ended.', 'OutOfStock'],
    ['This item will be back in stock in May', 'OutOfStock'],
    ['Email me when it is back in stock', 'OutOfStock'],
    ['Pre-order now', 'PreOrder'],
    ['Vorbestellen', 'PreOrder'],
    ['予約注文', 'PreOrder'],
    ['Backordered – ships in 3 weeks', 'BackOrder'],
    ['Sob encomenda', 'BackOrder'],
    ['This product has been discontinued', 'Discontinued'],
    ['In Stock.', 'InStock'],
    ['Auf Lager', 'InStock'],
    ['В наличии', 'InStock'],
    ['在庫あり', 'InStock'],
  ])('reads %j as %j', (text, expected) => {
    expect(availabilityFromText(text)).toBe(expected);
  });

  it.each([
    'Not in stock',
    'Nicht auf Lager',
    'No disponible',
    'Není skladem',
    'Stokta yok',
    'Нет в наличии',
    'Ikke på lager',
    'Niet op voorraad',
  ])('never reads the negation %j as in stock', (text) => {
    expect(availabilityFromText(text)).toBe('OutOfStock');
  });

  it.each([
    'Almost sold out!',
    'Nearly sold out',
    'Casi agotado',
    'Fast ausverkauft',
    '即将售罄',
    '품절 임박',
  ])('reads the urgency %j as in stock, not out of stock', (text) => {
    expect(availabilityFromText(text)).toBe('InStock');
  });

  it('says nothing about unrelated text', () => {
    expect(availabilityFromText('Free delivery on orders over 50')).toBeNull();
    expect(availabilityFromText('Stockholm store opening hours')).toBeNull();
  });

  it('has every category for every language the issue names', () => {
    const langs = 'en es de fr it pt nl pl sv da cs ja zh ko he ru tr'.split(' ');
    for (const lang of langs) {
      const w = WORDING[lang];
      expect(w).toBeDefined();
      for (const k of ['outOfStock', 'preOrder', 'backOrder', 'inStock', 'buy'] as const)
        expect(w[k].length).toBeGreaterThan(0);
    }
  });

  it.each([
    'Add to cart',
    'Add to Bag',
    'Buy it now',
    'Añadir al carrito',
    'In den Warenkorb',
    'Ajouter au panier',
    'Aggiungi al carrello',
    'Adicionar ao carrinho',
    'In winkelwagen',
    'Dodaj do koszyka',
    'Lägg i varukorgen',
    'Læg i kurv',
    'Do košíku',
    'カートに入れる',
    '加入购物车',
    '장바구니 담기',
    'הוסף לסל',
    'В корзину',
    'Sepete ekle',
  ])('knows the buy label %j', (label) => {
    expect(WORDS.buy.test(label.toLowerCase())).toBe(true);
  });

  it('does not take wish-list, registry or plan buttons for buy controls', () => {
    const html =
      '<div class="product-info"><button>Add to Wish List</button><button>Add to Registry</button>' +
      '<button>Buy the Plan</button></div>';
    expect(readBuyBox(indexPage(html).doc).enabledBuy).toBe(false);
  });

  it('stays bounded on hostile pages (deep nesting, thousands of buttons, huge text)', () => {
    const deep = '<div class="product-info">'.repeat(20_000) + 'Sold out' + '</div>'.repeat(20_000);
    expect(() => extractProduct(deep)).not.toThrow();
    const buttons =
      '<form action="/cart/add">' + '<button disabled>Sold out</button>'.repeat(20_000) + '</form>';
    expect(extractProduct(buttons).availability).toBe('OutOfStock');
    const huge = `<div class="availability">${'in stock '.repeat(200_000)}</div>`;
    expect(() => extractProduct(huge)).not.toThrow();
    const json =
      '<script type="application/json" id="ProductJson">{"variants":[' +
      '{"available":false},'.repeat(50_000) +
      '{"available":true}]}</script>';
    expect(() => extractProduct(json)).not.toThrow();
  });
});
