/**
 * How shops word stock states and buy controls, per language. Data, not logic: each entry is a
 * regular-expression fragment matched case-insensitively against lower-cased, whitespace-collapsed
 * text. Scripts written with spaces get word boundaries; Japanese, Chinese and Korean do not.
 *
 * Categories:
 * - outOfStock: the product cannot be bought now ("sold out", "agotado", "在庫切れ").
 * - notify: a back-in-stock alert offer ("notify me when available"): out of stock.
 * - preOrder / backOrder: orderable before stock exists / while restocking.
 * - discontinued: no longer made or sold.
 * - inStock: positive stock wording ("in stock", "auf Lager"). Negations ("not in stock",
 *   "nicht auf Lager", "нет в наличии") are in outOfStock, which is always tested first.
 * - buy: the label of a control that puts the product in the cart or buys it.
 */
export interface Wording {
  outOfStock: string[];
  notify: string[];
  preOrder: string[];
  backOrder: string[];
  discontinued: string[];
  inStock: string[];
  buy: string[];
  /** A prompt to pick a size or colour first: a disabled buy control then waits for a choice. */
  chooseVariant: string[];
}

/** Languages whose words are not separated by spaces (no word-boundary anchors). */
export const UNSPACED = new Set(['ja', 'zh', 'ko']);

export const WORDING: Record<string, Wording> = {
  en: {
    outOfStock: [
      'out[ -]of[ -]stock',
      'sold[ -]?out',
      'currently unavailable',
      'temporarily (?:unavailable|out of stock|sold out)',
      'no longer available',
      'not in stock',
      '(?:currently )?not available (?:online|for (?:purchase|order|sale))',
      'currently not available',
      'no stock available',
      '(?:this )?(?:item|product) is (?:currently )?unavailable',
      'unavailable (?:online|for (?:purchase|delivery|shipping))',
    ],
    notify: [
      'notify me(?: when| if|$)',
      "email me when (?:(?:it'?s |it is )?(?:back )?in stock|(?:it'?s |it is )?available)",
      'notify when available',
      "let me know when (?:it'?s )?(?:available|back)",
      '(?:get (?:an? )?)?(?:back[ -])?in[ -]stock (?:alert|notification)',
      'alert me when (?:available|in stock)',
      "(?:will|'ll) be back in stock",
      '(?:when|if|once) (?:(?:it|this|the) )?(?:\\w+ )?(?:is |are |comes |gets )?back in stock',
    ],
    preOrder: ['pre-?order(?:ed|s)?(?: now)?', 'pre order', 'available for pre-?order'],
    backOrder: [
      'back-?order(?:ed|able|s)?',
      'back order(?:ed)?',
      "(?:we'll|we will) ship (?:it )?when (?:it'?s|it is) available",
      "(?:we'll|we will) get (?:this|it) back in stock",
      'available (?:to|for) order',
    ],
    discontinued: ['discontinued', 'no longer (?:sold|carried|made|manufactured|produced)'],
    inStock: [
      'in stock',
      'in-stock',
      'available now',
      'ready to ship',
      'ships today',
      'only \\d+ left(?: in stock)?',
      'low stock',
      'limited stock',
    ],
    buy: [
      'add (?:\\w+ )?to (?:shopping |my )?(?:cart|bag|basket|trolley)',
      'buy (?:it )?now',
      '^buy$',
      '^purchase$',
      'order now',
    ],
    chooseVariant: [
      '(?:please )?(?:select|choose|pick) (?:a |your )?(?:size|colou?r|option|style|fit|width|variant)s?',
      'please (?:select|choose|make a selection)',
      'make (?:a )?selection',
      'select options',
    ],
  },
  es: {
    outOfStock: [
      'agotad[oa]s?',
      'no disponible',
      'sin (?:stock|existencias)',
      'fuera de stock',
      'no hay (?:stock|existencias)',
      '(?:producto |temporalmente )no disponible',
      'no disponible (?:en este momento|actualmente|temporalmente)',
    ],
    notify: ['av[ií]same cuando', 'notificarme cuando', 'av[ií]same si'],
    preOrder: ['pre-?venta', 'pre-?reserva', 'res[eé]rvalo(?: ya| ahora)?', 'pre-?pedido'],
    backOrder: ['bajo pedido', 'pedido pendiente', 'por encargo'],
    discontinued: ['descatalogado', 'ya no (?:se fabrica|est[aá] disponible)'],
    inStock: ['en stock', 'en existencia', 'hay existencias', 'disponible'],
    buy: [
      '(?:a[ñn]adir|agregar) al? (?:carrito|cesta|bolsa)',
      '^comprar$',
      'comprar (?:ahora|ya)',
      'a[ñn]adir a la (?:cesta|bolsa)',
    ],
    chooseVariant: ['(?:selecciona|elige|escoge) (?:una |tu )?(?:talla|color|opci[oó]n)'],
  },
  de: {
    outOfStock: [
      'ausverkauft',
      'nicht (?:auf lager|vorr[äa]tig|lieferbar)',
      '(?:derzeit |zurzeit |momentan |leider )?nicht (?:mehr )?verf[üu]gbar',
      'vergriffen',
      'nicht (?:mehr )?erh[äa]ltlich',
    ],
    notify: [
      'benachrichtig(?:en|ung),? (?:wenn|sobald)',
      'e-?mail,? (?:wenn|sobald) (?:wieder )?(?:verf[üu]gbar|lieferbar)',
      'verf[üu]gbarkeit anfragen',
    ],
    preOrder: ['vorbestell\\w*', 'vorverkauf'],
    backOrder: ['im zulauf', 'nachbestellt', 'nachlieferung', 'bestellartikel'],
    discontinued: ['ausgelaufen', 'nicht mehr im sortiment'],
    inStock: ['auf lager', 'sofort lieferbar', 'lieferbar', 'verf[üu]gbar', 'vorr[äa]tig'],
    buy: [
      'in den (?:warenkorb|einkaufswagen)',
      '(?:zum|in den) warenkorb hinzuf[üu]gen',
      'jetzt kaufen',
      '^kaufen$',
    ],
    chooseVariant: [
      '(?:bitte )?(?:w[äa]hle|w[äa]hlen sie) (?:eine |deine |ihre )?(?:gr[öo][ßs]e|farbe|variante)',
      'gr[öo][ßs]e w[äa]hlen',
    ],
  },
  fr: {
    outOfStock: [
      '[ée]puis[ée]e?s?',
      '(?:en )?rupture de stock',
      'en rupture',
      '(?:actuellement |temporairement )?indisponible',
      "n'est plus disponible",
      'plus disponible',
      'hors stock',
    ],
    notify: ["m'avertir", "m'alerter", 'me pr[ée]venir', 'alertez-moi', 'pr[ée]venez-moi'],
    preOrder: ['pr[ée]-?commande[rz]?', 'pr[ée]commande'],
    backOrder: ['sur commande', '(?:en (?:cours de )?)?r[ée]approvisionnement'],
    discontinued: ['plus fabriqu[ée]', 'fin de s[ée]rie'],
    inStock: ['en stock', 'disponible'],
    buy: ['ajouter au (?:panier|sac)', '^acheter$', 'acheter maintenant', '^commander$'],
    chooseVariant: [
      '(?:choisissez|s[ée]lectionnez|choisir) (?:une |votre )?(?:taille|couleur|option)',
    ],
  },
  it: {
    outOfStock: [
      'esaurit[oai]',
      'non (?:pi[uù] )?disponibile',
      'fuori stock',
      'terminat[oa]',
      'non (?:[eè] )?disponibile',
    ],
    notify: ['avvisami(?: quando| se)?', 'avvertimi'],
    preOrder: ['pre-?ordin[ae]', 'preordinalo', 'prenota(?:lo|zione)?(?: ora)?'],
    backOrder: ['su ordinazione', 'in riassortimento', 'in arrivo'],
    discontinued: ['fuori produzione', 'non pi[uù] prodotto'],
    inStock: ['disponibile', 'disponibilit[àa] immediata', 'in magazzino', 'pronta consegna'],
    buy: [
      'aggiungi al (?:carrello|bag)',
      'aggiungi alla borsa',
      '^acquista$',
      'acquista ora',
      'compra ora',
    ],
    chooseVariant: ['(?:seleziona|scegli) (?:una |la )?(?:taglia|colore|opzione)'],
  },
  pt: {
    outOfStock: [
      'esgotad[oa]s?',
      'indispon[íi]vel',
      'n[ãa]o dispon[íi]vel',
      'sem (?:estoque|stock)',
      'fora de (?:estoque|stock)',
      'produto indispon[íi]vel',
    ],
    notify: ['avise-me', 'avisem-me', 'me avise', 'quero ser avisado'],
    preOrder: ['pr[ée]-?venda', 'pr[ée]-?encomenda', 'pr[ée]-?reserva'],
    backOrder: ['sob encomenda', 'por encomenda'],
    discontinued: ['fora de linha', 'descontinuado'],
    inStock: ['em estoque', 'em stock', 'dispon[íi]vel'],
    buy: [
      'adicionar (?:ao|à|a) (?:carrinho|sacola|cesto)',
      '^comprar$',
      'comprar agora',
      'adicionar ao carrinho',
    ],
    chooseVariant: ['(?:selecione|escolha) (?:um |uma |o |seu |sua )?(?:tamanho|cor|op[çc][ãa]o)'],
  },
  nl: {
    outOfStock: [
      '(?:tijdelijk )?uitverkocht',
      'niet (?:op voorraad|leverbaar)',
      'niet (?:meer )?beschikbaar',
      'tijdelijk niet (?:leverbaar|beschikbaar)',
    ],
    notify: [
      'mail mij',
      'houd mij op de hoogte',
      'breng mij op de hoogte',
      'stuur (?:mij|me) een bericht',
    ],
    preOrder: ['pre-?order(?:en)?', 'voorbestellen', 'reserveer(?: nu)?'],
    backOrder: ['(?:in )?nabestelling', 'backorder'],
    discontinued: ['uit het assortiment'],
    inStock: ['op voorraad', '(?:direct |morgen )?leverbaar', 'beschikbaar'],
    buy: [
      'in (?:de |mijn )?(?:winkelwagen|winkelmand(?:je)?)',
      'toevoegen aan (?:winkelwagen|winkelmand(?:je)?)',
      'koop nu',
      'bestel nu',
    ],
    chooseVariant: ['(?:kies|selecteer) (?:een |je |uw )?(?:maat|kleur|optie)'],
  },
  pl: {
    outOfStock: [
      'wyprzedan[yaei]',
      '(?:chwilowo |produkt |towar )?niedost[eę]pn[yaei]',
      'brak (?:w magazynie|towaru|na stanie|produktu)',
      'nie ma (?:w magazynie|na stanie)',
    ],
    notify: ['powiadom(?: mnie)?(?: o dost[eę]pno[sś]ci)?', 'daj (?:mi )?zna[cć]'],
    preOrder: ['przedsprzeda[zż]', 'przedpremier\\w*', 'zam[oó]w w przedsprzeda[zż]y'],
    backOrder: ['na zam[oó]wienie'],
    discontinued: ['wycofan[yae] z (?:produkcji|oferty|sprzeda[zż]y)'],
    inStock: ['dost[eę]pn[yae]', 'w magazynie', 'na stanie'],
    buy: ['dodaj do koszyka', 'do koszyka', '^kup$', 'kup teraz', '^kupuj[eę]$'],
    chooseVariant: ['wybierz (?:rozmiar|kolor|wariant)'],
  },
  sv: {
    outOfStock: [
      'sluts[åa]ld?t?',
      'slut i lager',
      '(?:finns )?(?:ej|inte) i lager',
      'tillf[äa]lligt slut',
      '(?:ej|inte) tillg[äa]nglig',
    ],
    notify: ['bevaka(?: produkt(?:en)?)?', 'meddela mig'],
    preOrder: ['f[öo]rbest[äa]ll', 'f[öo]rhandsboka', 'f[öo]rk[öo]p'],
    backOrder: ['restnoterad', 'best[äa]llningsvara'],
    discontinued: ['utg[åa]tt', 'utg[åa]ende'],
    inStock: ['i lager', 'finns i lager'],
    buy: ['l[äa]gg i (?:varukorg(?:en)?|kundvagn(?:en)?)', '^k[öo]p$', 'k[öo]p nu'],
    chooseVariant: ['v[äa]lj (?:en )?(?:storlek|f[äa]rg)'],
  },
  da: {
    outOfStock: [
      '(?:midlertidigt )?udsolgt',
      'utsolgt',
      'ikke p[åa] lager',
      'ikke tilg[æe]ngelig',
      'ikke (?:lengre )?tilgjengelig',
    ],
    notify: ['giv mig besked', 'gi meg beskjed'],
    preOrder: ['forudbestil\\w*', 'forh[åa]ndsbestill\\w*'],
    backOrder: ['restordre', 'bestillingsvare'],
    discontinued: ['udg[åa]et'],
    inStock: ['p[åa] lager'],
    buy: [
      'l[æe]g i (?:kurv(?:en)?|indk[øo]bskurv(?:en)?)',
      'legg i handlekurv(?:en)?',
      'tilf[øo]j til kurv',
      '^k[øo]b$',
      'k[øo]b nu',
      '^kj[øo]p$',
    ],
    chooseVariant: ['v[æe]lg (?:en )?(?:st[øo]rrelse|farve)'],
  },
  cs: {
    outOfStock: [
      'vyprod[áa]no',
      'nen[íi] (?:skladem|na sklad[ěe])',
      '(?:moment[áa]ln[ěe] |do[čc]asn[ěe] )?nedostupn[éáýy]',
    ],
    notify: [
      'hl[íi]dat dostupnost',
      'hl[íi]dac[íi] pes',
      'upozornit (?:na|p[řr]i) naskladn[ěe]n[íi]',
    ],
    preOrder: ['p[řr]edobjedn\\w*', 'p[řr]edprodej'],
    backOrder: ['na objedn[áa]vku'],
    discontinued: ['ukon[čc]en[ýyáa] prodej', 'ji[žz] se neprod[áa]v[áa]'],
    inStock: ['skladem', 'na sklad[ěe]'],
    buy: ['(?:vlo[žz]it |p[řr]idat )?do ko[šs][íi]ku', '^koupit$', 'koupit nyn[íi]'],
    chooseVariant: ['vyberte (?:velikost|barvu|variantu)'],
  },
  ja: {
    outOfStock: [
      '在庫切れ',
      '売り切れ',
      '売切れ',
      '品切れ',
      '完売',
      '在庫なし',
      '在庫がありません',
      '入荷待ち',
      '在庫無し',
    ],
    notify: ['再入荷(?:お知らせ|通知)', '入荷(?:お知らせ|通知)'],
    preOrder: ['予約注文', '予約受付中', '予約する', '予約商品', '先行予約'],
    backOrder: ['お取り寄せ', '取り寄せ'],
    discontinued: ['販売終了', '取り扱い終了', '生産終了'],
    inStock: ['在庫あり', '在庫有り', '即納'],
    buy: ['カートに入れる', 'カートに追加', '今すぐ購入', '購入する', '買い物かごに入れる'],
    chooseVariant: ['サイズを選択', 'カラーを選択', 'サイズをお選びください'],
  },
  zh: {
    outOfStock: [
      '缺货',
      '缺貨',
      '售罄',
      '已售完',
      '无货',
      '無貨',
      '暂时缺货',
      '暫時缺貨',
      '已售空',
    ],
    notify: ['到货通知', '到貨通知', '补货通知', '補貨通知'],
    preOrder: ['预购', '預購', '预订', '預訂', '预售', '預售'],
    backOrder: ['需调货', '需調貨'],
    discontinued: ['已下架', '停售', '已停产', '已停產'],
    inStock: ['有货', '有貨', '现货', '現貨', '库存充足'],
    buy: ['加入购物车', '加入購物車', '立即购买', '立即購買', '加入购物袋', '加入購物袋'],
    chooseVariant: ['请选择尺码', '請選擇尺寸', '请选择颜色', '選擇尺寸', '选择尺码'],
  },
  ko: {
    outOfStock: ['품절', '일시품절', '재고 ?없음', '구매 ?불가'],
    notify: ['재입고 ?알림', '입고 ?알림'],
    preOrder: ['예약 ?구매', '사전 ?예약', '예약 ?판매', '예약 ?주문'],
    backOrder: ['주문 ?후 ?발송'],
    discontinued: ['판매 ?종료', '단종'],
    inStock: ['재고 ?있음', '구매 ?가능'],
    buy: ['장바구니(?:에)? ?담기', '바로 ?구매', '구매하기'],
    chooseVariant: ['사이즈(?:를)? ?선택', '옵션(?:을)? ?선택'],
  },
  he: {
    outOfStock: ['אזל(?: מהמלאי| במלאי)?', 'לא במלאי', 'חסר במלאי', 'המוצר אינו זמין'],
    notify: ['עדכנו אותי', 'הודיעו לי', 'עדכן אותי'],
    preOrder: ['הזמנה מוקדמת', 'טרום הזמנה'],
    backOrder: ['בהזמנה מיוחדת'],
    discontinued: ['הופסק ייצורו'],
    inStock: ['במלאי', 'זמין במלאי'],
    buy: ['הוסף? לסל', 'הוספה לסל', 'הוסף לעגלה', 'קנה עכשיו', 'לרכישה'],
    chooseVariant: ['בחר(?:ו)? מידה', 'בחר(?:ו)? צבע'],
  },
  ru: {
    outOfStock: [
      'нет в наличии',
      'распродан[оа]?',
      'товар закончился',
      'нет на складе',
      'нет в продаже',
      'недоступ(?:ен|но|на)',
    ],
    notify: ['сообщить о поступлении', 'уведомить о поступлении', 'сообщить о наличии'],
    preOrder: ['предзаказ', 'предварительный заказ'],
    backOrder: ['под заказ', 'на заказ'],
    discontinued: ['снят с производства', 'снят с продажи'],
    inStock: ['в наличии', 'есть в наличии', 'на складе'],
    buy: ['(?:добавить )?в корзину', '^купить$', 'купить сейчас'],
    chooseVariant: ['выберите (?:размер|цвет|вариант)'],
  },
  tr: {
    outOfStock: [
      't[üu]kendi',
      'stokta (?:yok|bulunmamaktad[ıi]r)',
      'stok yok',
      'sat[ıi]şta de[ğg]il',
      'temin edilemiyor',
    ],
    notify: ['gelince haber ver', 'sto[ğg]a girince haber ver', 'haber ver'],
    preOrder: ['[öo]n sipari[şs]', '[öo]n sat[ıi][şs]'],
    backOrder: ['sipari[şs] [üu]zerine'],
    discontinued: ['[üu]retimi durdu'],
    inStock: ['stokta(?: var| mevcut)?'],
    buy: ['sepete ekle', 'hemen al', 'sat[ıi]n al', '[şs]imdi al'],
    chooseVariant: ['beden se[çc]in', 'renk se[çc]in', 'beden se[çc]iniz'],
  },
};
