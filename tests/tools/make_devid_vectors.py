"""Write tests/vectors/devids.json: accepted and refused DevIDs (docs/spec.md §3).
Normalized values come from the independent reference (dmboot_ref.py).

  python3 tests/tools/make_devid_vectors.py > tests/vectors/devids.json
"""
import json, sys
sys.path.insert(0, __import__("os").path.dirname(__file__))
import dmboot_ref as ref
ok = [
 ("imei","490154203237518"),("imei","IMEI:490154203237518"),("imei","imei:490154203237518"),
 ("imei","ImEi:490154203237518"),("imei","49-015420-323751-8"),("imei","49 015420 323751 8"),
 ("imei","  490154203237518\t"),("imei","IMEI: 490154203237518"),("imei","IMEI:49--0154 2032-37518"),
 ("imei","352099001761481"),("imei","000000000000000"),("imei","35-209900-176148-1"),
 ("meid","A0000012345678"),("meid","a0000012345678"),("meid","MEID:A00000ffffffff"),("meid","meid:12345678ABCDEF"),
 ("esn","12ABCDEF"),("esn","ESN:12abcdef"),("esn","esn:80000000"),("esn","ffffffff"),
 ("opaque","serial-0001"),("opaque","urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"),("opaque","x"),
 ("opaque","IMEI:490154203237519"),("opaque","!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),("opaque","a"*128),
]
bad = [
 ("imei","490154203237519","check digit"),("imei","49015420323751","14 digits"),("imei","4901542032375180","16 digits"),
 ("imei","","empty"),("imei","   ","empty"),("imei","IMEI:","0 digits"),("imei","49015420323751x","'x' at position 15"),
 ("imei","IMEI;490154203237518","'I' at position 1"),("imei","-490154203237518","separator"),("imei","490154203237518-","separator"),
 ("imei","4901542032375.18","'.'"),("imei","MEID:490154203237518","'M'"),("imei","４９0154203237518","\\xEF"),
 ("meid","A000001234567","14 hex digits, found 13"),("meid","A000001234567890","found 16"),("meid","A000001234567G","'G'"),
 ("meid","MEID:A0000012 345678","space"),("meid","","empty"),("meid"," A0000012345678","space"),
 ("esn","12ABCDE","8 hex digits, found 7"),("esn","12ABCDEF0","found 9"),("esn","12ABCDEZ","'Z'"),("esn","ESN-12ABCDEF","'S' at position 2"),
 ("opaque","","empty"),("opaque","a b","space at position 2"),("opaque","a"*129,"longer than 128"),("opaque","tab\there","\\x09"),
 ("opaque","caf\u00e9","\\xC3"),
]
cases=[]
for t,i in ok:
    cases.append({"type":t,"input":i,"normalized":ref.normalize_devid(t,i)})
for t,i,m in bad:
    try:
        ref.normalize_devid(t,i); raise SystemExit("reference accepted %r"%i)
    except ValueError: pass
    cases.append({"type":t,"input":i,"error":"devid","message_contains":m})
print(json.dumps({"description":"DevID normalization (docs/spec.md §3): each input normalizes to 'normalized', or fails with DMBOOT_ERR_DEVID and a message containing 'message_contains'. Normalized values were computed by tests/tools/dmboot_ref.py.","cases":cases},indent=1,ensure_ascii=False))
